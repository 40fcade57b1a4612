import { describe, expect, it } from 'vitest';
import { html, options, text, TRACKING } from './instrument.test-helpers.js';
import { instrument } from './index.js';

/** The destinations tracked in a text part, and the output. */
function track(input: string, overrides = {}) {
  const r = text(input, overrides);
  for (const l of r.links) expect(l.location).toBe('text');
  return { out: r.text, dests: r.links.map((l) => l.destination), r };
}

const T = /https:\/\/links\.example\.com\/v1\/track\/click\/[A-Za-z0-9_-]+/.source;

describe('text links', () => {
  it('rewrites http and https URLs and keeps everything else', () => {
    const input = 'Hello,\n\nReset your password: https://example.com/reset?t=abc&u=1\nor visit http://example.org/help\n\n-- \nAcme';
    const { out, dests } = track(input);
    expect(dests).toEqual(['https://example.com/reset?t=abc&u=1', 'http://example.org/help']);
    expect(out).toMatch(new RegExp(`^Hello,\\n\\nReset your password: ${T}\\nor visit ${T}\\n\\n-- \\nAcme$`));
  });

  it.each([
    ['a full stop', 'Go to https://example.com/a.', 'https://example.com/a', '.'],
    ['a comma', 'See https://example.com/a, then', 'https://example.com/a', ', then'],
    ['a closing parenthesis', '(see https://example.com/a)', 'https://example.com/a', ')'],
    ['angle brackets', 'Link: <https://example.com/a>', 'https://example.com/a', '>'],
    ['quotes', 'He said "https://example.com/a" and \'https://example.com/b\'', 'https://example.com/a', '" and'],
    ['several marks', 'Really? https://example.com/a?!...', 'https://example.com/a', '?!...'],
    ['a colon and semicolon', 'https://example.com/a: first; https://example.com/b;', 'https://example.com/a', ': first;'],
    ['markdown emphasis', 'Read *https://example.com/a* now', 'https://example.com/a', '* now'],
  ])('leaves trailing punctuation out: %s', (_name, input, dest, after) => {
    const { out, dests } = track(input);
    expect(dests[0]).toBe(dest);
    // Each URL as written is replaced by a tracking URL, and what follows the first one is kept.
    let expected = input;
    for (const [i, tracked] of [...out.matchAll(new RegExp(T, 'g'))].map((m) => m[0]).entries()) {
      expected = expected.replace(dests[i]!, tracked);
    }
    expect(out).toBe(expected);
    const first = out.match(new RegExp(T))![0];
    expect(out.slice(out.indexOf(first) + first.length).startsWith(after)).toBe(true);
  });

  it('keeps a ) that closes a ( inside the URL (Wikipedia)', () => {
    const { dests, out } = track('Mercury: https://en.wikipedia.org/wiki/Mercury_(planet). And (https://en.wikipedia.org/wiki/Pluto_(dwarf_planet)).');
    expect(dests).toEqual(['https://en.wikipedia.org/wiki/Mercury_(planet)', 'https://en.wikipedia.org/wiki/Pluto_(dwarf_planet)']);
    expect(out).toMatch(new RegExp(`^Mercury: ${T}\\. And \\(${T}\\)\\.$`));
  });

  it('keeps punctuation inside the URL', () => {
    const { dests } = track('https://example.com/a,b;c.d!e?f=1&g=2#h:i end');
    expect(dests).toEqual(['https://example.com/a,b;c.d!e?f=1&g=2#h:i']);
  });

  it('reads a markdown link', () => {
    const { dests } = track('[Docs](https://example.com/docs) and [Wiki](https://en.wikipedia.org/wiki/C_(language))');
    expect(dests).toEqual(['https://example.com/docs', 'https://en.wikipedia.org/wiki/C_(language)']);
  });

  it('matches the scheme in any case and needs a word boundary before it', () => {
    const { dests } = track('HTTPS://EXAMPLE.COM/A xhttps://example.com/b');
    expect(dests).toEqual(['https://example.com/A']);
  });

  it('percent-encodes non-ASCII and punycodes IDN hosts', () => {
    const { dests } = track('Café: https://café.example/menü?q=crème');
    expect(dests).toEqual(['https://xn--caf-dma.example/men%C3%BC?q=cr%C3%A8me']);
  });

  it.each([
    'https://example.com/?u={{ user.id }}',
    'https://example.com/?u={{user.id}}.',
    'https://example.com/?e=*|EMAIL|*',
    'https://example.com/?e=%%emailaddr%%',
    'https://example.com/?e=%%=v(@email)=%%',
    'https://example.com/?e=%email%',
    'https://example.com/${path}',
    'https://example.com/[[token]]',
    'https://example.com/?id=<%= id %>',
    'https://example.com/{% url %}',
  ])('leaves placeholder URLs alone: %s', (input) => {
    const { out, dests } = track(`Open ${input} today`);
    expect(dests).toEqual([]);
    expect(out).toBe(`Open ${input} today`);
  });

  it('leaves already tracked, excluded and malformed URLs alone', () => {
    const input = `${TRACKING}/v1/track/click/abc https://skip.example.com/x http:// https://exa%mple.com ftp://example.com mailto:a@example.com`;
    const { out, dests } = track(input, { excludedHosts: ['skip.example.com'] });
    expect(dests).toEqual([]);
    expect(out).toBe(input);
  });

  it("tracks text only when click is 'text' or 'html_and_text'", () => {
    const input = 'https://example.com/a';
    for (const click of ['html', false] as const) {
      const r = instrument({ text: input }, options({ click }));
      expect(r.text).toBe(input);
      expect(r.links).toEqual([]);
    }
    expect(track(input, { click: 'text' }).dests).toEqual(['https://example.com/a']);
  });

  it('labels a text link with the URL as written', () => {
    const { r } = track('Go: https://example.com/Path?x=1.');
    expect(r.links[0]!.label).toBe('https://example.com/Path?x=1');
  });

  it('does not track URLs in the html part as text', () => {
    const r = html('<p>https://example.com/in-text</p>', { click: 'html_and_text' });
    expect(r.links).toEqual([]);
  });

  it('never throws on odd text', () => {
    for (const input of ['', 'http://', 'https://)', 'https://(((((', 'https://a.b/' + ')'.repeat(10_000), '\uD800https://x.y/\uDC00']) {
      expect(() => text(input)).not.toThrow();
    }
  });
});
