import { describe, expect, it } from 'vitest';
import { decodeToken } from '../tokens/index.js';
import { AUTO_TOP_THRESHOLD_BYTES, instrument } from './index.js';
import { html, keyring, OPEN_PREFIX, options, TRACKING } from './instrument.test-helpers.js';

const PIXEL = /<img src="https:\/\/links\.example\.com\/v1\/track\/open\/[A-Za-z0-9_-]+" width="1" height="1" alt="" border="0" style="[^"]+" \/>/;

function withPixel(input: string, pixel?: 'bottom' | 'top' | 'auto') {
  const r = html(input, { open: true, click: false, ...(pixel ? { pixel } : {}) });
  expect(r.pixelInserted).toBe(true);
  const m = PIXEL.exec(r.html);
  expect(m).not.toBeNull();
  return { out: r.html, at: m!.index, markup: m![0], r };
}

describe('the pixel', () => {
  it('is a 1×1 image with an empty alt, border 0 and a style that hides it and takes no room', () => {
    const { markup } = withPixel('<html><body><p>Hi</p></body></html>');
    expect(markup).toContain('width="1" height="1" alt="" border="0"');
    const style = /style="([^"]+)"/.exec(markup)![1]!;
    expect(style).toContain('display:block');
    expect(style).toContain('height:1px');
    expect(style).toContain('width:1px');
    expect(style).toContain('opacity:0');
    expect(style).toContain('margin:0 0 -1px 0');
    expect(style).toContain('border:0');
  });

  it('carries an open token for the email and host', () => {
    const o = options({ open: true, click: false, hostId: 3 });
    const r = instrument({ html: '<body></body>' }, o);
    const token = PIXEL.exec(r.html!)![0].match(/open\/([A-Za-z0-9_-]+)/)![1]!;
    expect(decodeToken(keyring, token)).toEqual({ kind: 'open', emailId: o.emailId, hostId: 3 });
  });

  it('goes just before the last real </body> by default', () => {
    const input = '<html><body><p>A</p><!-- </body> --><script>"</body>"</script></body>\n</html>';
    const { out, markup } = withPixel(input);
    expect(out).toBe(input.replace('</body>\n', `${markup}</body>\n`));
  });

  it('uses the last </body> when there are several', () => {
    const input = '<body>a</body><p>b</p></body><textarea></body></textarea>';
    const { out, markup } = withPixel(input, 'bottom');
    expect(out).toBe(`<body>a</body><p>b</p>${markup}</body><textarea></body></textarea>`);
  });

  it('ignores a </body> in a conditional comment', () => {
    const input = '<body><p>a</p></body><!--[if mso]></body><![endif]-->';
    const { out, markup } = withPixel(input);
    expect(out).toBe(`<body><p>a</p>${markup}</body><!--[if mso]></body><![endif]-->`);
  });

  it('goes at the very end when there is no </body>', () => {
    const input = '<p>Just a fragment</p>';
    const { out, markup } = withPixel(input);
    expect(out).toBe(input + markup);
  });

  it.each([
    ['an unterminated comment', '<p>A</p>', '<!-- never closed'],
    ['an unterminated tag', '<p>A</p>', '<a href="https://example.com/'],
    ['an unterminated <script>', '<p>A</p>', '<script>var a = 1;'],
    ['<plaintext>', '<p>A</p>', '<plaintext>all of this is text'],
  ])('with no </body>, goes before %s the document ends in, where it would be lost', (_name, head, tail) => {
    const { out, markup } = withPixel(head + tail);
    expect(out).toBe(head + markup + tail);
  });

  it("'top' puts it right after the <body …> start tag", () => {
    const input = '<!DOCTYPE html><html><head><title>t</title></head><body class="x"\n style="margin:0">\n<p>A</p></body></html>';
    const { out, markup } = withPixel(input, 'top');
    expect(out).toBe(input.replace('style="margin:0">', `style="margin:0">${markup}`));
  });

  it("'top' with no body tag: after </head>, never before the doctype", () => {
    const a = '<!DOCTYPE html><html><head><title>t</title></head><p>A</p></html>';
    const ra = withPixel(a, 'top');
    expect(ra.out).toBe(a.replace('</head>', `</head>${ra.markup}`));
    const b = '<!doctype html>\n<p>A</p>';
    const rb = withPixel(b, 'top');
    expect(rb.out).toBe(`<!doctype html>${rb.markup}\n<p>A</p>`);
    const c = '<html lang="en"><p>A</p></html>';
    const rc = withPixel(c, 'top');
    expect(rc.out).toBe(`<html lang="en">${rc.markup}<p>A</p></html>`);
    const d = '<p>A fragment</p>';
    const rd = withPixel(d, 'top');
    expect(rd.out).toBe(`${rd.markup}<p>A fragment</p>`);
  });

  it("'auto' goes to the top above 100 KB of UTF-8 and to the bottom below", () => {
    const doc = (filler: string) => `<html><body><p>${filler}</p></body></html>`;
    const small = withPixel(doc('x'.repeat(50_000)), 'auto');
    expect(small.out.indexOf(small.markup)).toBe(small.out.indexOf('</body>') - small.markup.length);
    const big = withPixel(doc('x'.repeat(AUTO_TOP_THRESHOLD_BYTES + 1)), 'auto');
    expect(big.at).toBe('<html><body>'.length);
    // Counted in UTF-8 bytes, not characters: 40,000 × "€" is 120,000 bytes.
    const euros = withPixel(doc('€'.repeat(40_000)), 'auto');
    expect(euros.at).toBe('<html><body>'.length);
  });

  it("'auto' counts the instrumented size (tracked links grow the HTML)", () => {
    const links = '<a href="https://example.com/p">x</a>'.repeat(700); // ~26 KB in, far more out
    const input = `<html><body>${'y'.repeat(70_000)}${links}</body></html>`;
    expect(Buffer.byteLength(input)).toBeLessThan(AUTO_TOP_THRESHOLD_BYTES);
    const r = html(input, { open: true, click: 'html', pixel: 'auto' });
    expect(r.html.indexOf(OPEN_PREFIX)).toBeLessThan(100);
  });

  it('is not inserted twice', () => {
    const first = html('<html><body><p>A</p></body></html>', { open: true, click: false });
    const second = html(first.html, { open: true, click: false });
    expect(second.pixelInserted).toBe(false);
    expect(second.html).toBe(first.html);
    // Nor when a pixel from a known tracking host is there.
    const other = html(`<body><img src="https://old.example.org/v1/track/open/abc" width="1"></body>`, {
      open: true,
      knownTrackingHosts: ['old.example.org'],
    });
    expect(other.pixelInserted).toBe(false);
  });

  it('counts only an <img> in the document, not a URL in text or another attribute', () => {
    const { r } = withPixel(`<body><p>${TRACKING}/v1/track/open/abc</p><a href="${TRACKING}/v1/track/open/abc">x</a><!-- <img src="${TRACKING}/v1/track/open/abc"> --></body>`);
    expect(r.pixelInserted).toBe(true);
  });

  it('is not inserted when open tracking is off, or into a text part', () => {
    const r = instrument({ html: '<body></body>', text: 'hi' }, options({ open: false }));
    expect(r.pixelInserted).toBe(false);
    expect(r.html).toBe('<body></body>');
    const t = instrument({ text: 'hi' }, options({ open: true }));
    expect(t.pixelInserted).toBe(false);
    expect(t.text).toBe('hi');
  });

  it('goes after the links: the edits stay sorted', () => {
    const r = html('<body><a href="https://example.com/">x</a></body>', { open: true, pixel: 'bottom' });
    expect(r.htmlEdits.map((e) => e.start)).toEqual([...r.htmlEdits.map((e) => e.start)].sort((a, b) => a - b));
    expect(r.htmlEdits).toHaveLength(2);
  });
});
