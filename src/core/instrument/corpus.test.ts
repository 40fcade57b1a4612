import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { files, shortName, templates } from '../../../test/support/corpus-files.js';
import { decodeToken } from '../tokens/index.js';
import { instrument, type InstrumentOptions } from './index.js';
import { expectedLinks } from './expected-links.test-helpers.js';
import { compareTokenizers } from './fast-tokenizer.js';
import { checkInvariants, keyring, options } from './instrument.test-helpers.js';

/**
 * The engine on real templates: test/fixtures/email-html (read, not tuned to),
 * plus the benchmark newsletter. The links expected to be tracked are worked out independently,
 * with cheerio (parse5, a spec-compliant HTML parser) on the document and on the body of each
 * conditional comment.
 */

/** Corpus hrefs that are "#" or "http://" get real URLs, so every layout has links to track (VML buttons included). */
function filledIn(html: string): string {
  let n = 0;
  return html.replace(/href="(#|http:\/\/)"/g, () => `href="https://shop.example.net/p/${++n}?utm_source=mail&amp;n=${n}#top"`);
}

function checkTemplate(input: string, o: InstrumentOptions) {
  const r = instrument({ html: input }, o);
  checkInvariants({ html: input }, r, o);
  const expected = expectedLinks(input);
  expect(r.links.map((l) => [l.location, l.destination])).toEqual(expected.map((e) => [e.location, e.destination]));
  // Every tracked link really sits where the independent parser found it and carries its token.
  for (const [i, e] of r.htmlEdits.filter((x) => x.replacement.includes('/v1/track/click/')).entries()) {
    const token = decodeToken(keyring, e.replacement.slice(e.replacement.lastIndexOf('/') + 1).replace(/"$/, ''));
    expect(token).toMatchObject({ kind: 'click', linkIndex: i, destination: expected[i]!.destination });
    expect(e.start).toBeGreaterThan(expected[i]!.offset);
  }
  // Second run: nothing changes.
  const again = instrument({ html: r.html }, o);
  expect(again.html).toBe(r.html);
  expect(again.links).toEqual([]);
  expect(again.pixelInserted).toBe(false);
  return { r, expected };
}

describe('corpus', () => {
  it('is present in the repository (test/fixtures/email-html)', () => {
    expect(templates.length).toBeGreaterThan(50);
  });

  const totals = { links: 0, vml: 0, filledLinks: 0, filledVml: 0 };

  describe.each(files.map((f) => [shortName(f), f]))('%s', (_name, path) => {
    const input = readFileSync(path, 'utf8');

    it('tracks exactly the http(s) links a browser would follow (placeholders excluded), VML included; second run is a no-op; edits undo', () => {
      const { r } = checkTemplate(input, options({ open: true, click: 'html' }));
      expect(r.pixelInserted).toBe(true);
      totals.links += r.links.length;
      totals.vml += r.links.filter((l) => l.location === 'vml').length;
    });

    it('is tokenized identically by the stock and the indexOf tokenizer', () => {
      const { stock, fast } = compareTokenizers(input);
      expect(fast).toBe(stock);
    });

    it('does the same with its "#" and "http://" hrefs filled in with real URLs', () => {
      const filled = filledIn(input);
      const { r } = checkTemplate(filled, options({ open: true, click: 'html', pixel: 'top' }));
      totals.filledLinks += r.links.length;
      totals.filledVml += r.links.filter((l) => l.location === 'vml').length;
      // Labels are never longer than 80 characters.
      for (const l of r.links) expect(l.label.length).toBeLessThanOrEqual(80);
    });
  });

  it('covered links and VML buttons', () => {
    // The raw corpus has hrefs like "{{action_url}}", "#" and "http://"; the filled-in run must reach its VML buttons.
    expect(totals.links).toBeGreaterThan(100);
    expect(totals.filledVml).toBeGreaterThan(100);
    expect(totals.filledLinks).toBeGreaterThan(totals.links);
  });
});
