import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Tokenizer } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { NEWSLETTER, files, shortName, templates } from '../../../test/support/corpus-files.js';
import { anyHtml, document, settings } from './html-arbitraries.test-helpers.js';
import { tokenizerEvents } from './fast-tokenizer.js';
import { HtmlScanner } from './html-scanner.js';
import { instrumentWith } from './instrument.js';
import { options } from './instrument.test-helpers.js';
import {
  EV_ATTR_DATA,
  EV_ATTR_END,
  EV_ATTR_NAME,
  EV_CLOSE,
  EV_COMMENT,
  EV_DECLARATION,
  EV_OPEN_END,
  EV_OPEN_NAME,
  EV_SELF_CLOSING,
  EV_TEXT,
  EventLog,
  tokenizeStrict,
} from './strict-tokenizer.js';
import type { InstrumentInput, InstrumentOptions } from './types.js';

/**
 * Differential tests of the strict fast path (strict-tokenizer.ts) against htmlparser2, the
 * reference it stands in for:
 *   - event for event: whenever the fast path accepts a string, its events are exactly the stock
 *     Tokenizer's (entity decoding off, as the engine runs it);
 *   - end to end: the engine with the fast path and the destination cache gives byte-identical HTML
 *     and text, the same edits and the same links as the engine on htmlparser2 alone with nothing
 *     cached (the path before the fast one existed);
 * on every template of test/fixtures/email-html, the benchmark newsletter, hand-picked edge cases,
 * and fast-check generated and mangled HTML.
 */


/** At least 2,000 runs per property; more with WAYMARK_PROPERTY_RUNS. */
const RUNS = Math.max(2000, Number(process.env.WAYMARK_PROPERTY_RUNS ?? 0));

// ---- event streams ----------------------------------------------------------------------------

/** The stock Tokenizer's events on `html`, as the engine runs it (one write, then end). */
function stockEvents(html: string): string[] {
  return tokenizerEvents((cbs) => new Tokenizer({ decodeEntities: false }, cbs), html);
}

const NAMES: Record<number, [string, number]> = {
  [EV_TEXT]: ['text', 2],
  [EV_OPEN_NAME]: ['opentagname', 2],
  [EV_ATTR_NAME]: ['attribname', 2],
  [EV_ATTR_DATA]: ['attribdata', 2],
  [EV_ATTR_END]: ['attribend', 2],
  [EV_OPEN_END]: ['opentagend', 1],
  [EV_SELF_CLOSING]: ['selfclosingtag', 1],
  [EV_CLOSE]: ['closetag', 2],
  [EV_COMMENT]: ['comment', 3],
  [EV_DECLARATION]: ['declaration', 2],
};

/** The fast path's events on `html` in the same notation, or null when it gives up. */
function strictEvents(html: string): string[] | null {
  const log = new EventLog();
  if (!tokenizeStrict(html, log)) return null;
  const out: string[] = [];
  for (let i = 0; i < log.length; i += 4) {
    const [name, arity] = NAMES[log.data[i]!]!;
    out.push(`${name}(${Array.from(log.data.subarray(i + 1, i + 1 + arity)).join(',')})`);
  }
  // The stock tokenizer ends every stream with onend; the fast path ends where its log does.
  out.push('end()');
  return out;
}

// ---- the engine, both ways --------------------------------------------------------------------

const fastScanner = new HtmlScanner();
const referenceScanner = new HtmlScanner({ strict: false });

function expectSameOutput(input: InstrumentInput, o: InstrumentOptions): void {
  const reference = instrumentWith(referenceScanner, false, input, o);
  const fast = instrumentWith(fastScanner, true, input, o);
  expect(fast.html).toBe(reference.html);
  expect(fast.text).toBe(reference.text);
  expect(fast.links).toEqual(reference.links);
  expect(fast.htmlEdits).toEqual(reference.htmlEdits);
  expect(fast.textEdits).toEqual(reference.textEdits);
  expect(fast.pixelInserted).toBe(reference.pixelInserted);
}

const OPTION_SETS: Partial<InstrumentOptions>[] = [
  { open: true, click: 'html' },
  { open: true, click: 'html_and_text', pixel: 'top' },
  { open: true, click: false, pixel: 'auto' },
  { open: false, click: 'html', excludedHosts: ['*.example.com'] },
];

// ---- tests -------------------------------------------------------------------------------------

const EDGE_CASES = [
  '',
  'plain text only',
  '<a href=x>y</a>',
  '<A HREF="x" HREF=\'y\'>z</A >',
  '<a =x href = "y" / >t</a>',
  '<a href=>t</a><a href= >u</a><a href>v</a>',
  '<a href=x/>t</a><br/><br / ><img src=u alt=""/>',
  '<a"b=c \'d\'=e>x</a>',
  '<a href="x"title="y"data-x=\'z\'>t</a>',
  '<a\nhref\n=\n"x"\n>\ny\n</a\n>',
  '</a foo="x>y">z',
  '</A\t>',
  '<!---->a<!--->b<!-->c<!-- d --->e<!-- f --!>g<!-- h -- i -->j<!-- --!x -->k',
  '<!--[if mso]><v:roundrect href="https://e.com/"><w:anchorlock/><center>Go</center></v:roundrect><![endif]-->',
  '<!DOCTYPE html><!doctype html PUBLIC "x"><!DocType>',
  '<style>a<b</style><style>p{}</STYLE ><style/>x</style>',
  '<script><</script>a</script\n>',
  '<script>a</scripts></script>',
  '<title>a &amp; <b></title><textarea><a href=x></textarea>',
  '<TITLE>x</TiTlE>',
  '<xmp><a></xmp><iframe><a></iframe><noembed><a></noembed><noframes><a></noframes>',
  '<style>\u001c/style>x</style>',
  '<title>\u001c\u000fTITLE>x</title>',
  '<stylex>a</stylex><scripty>b</scripty>',
  '<plaintext><a href=x>',
  '<p>a < b</p>',
  '<p>a <3 b</p>',
  '</ a>',
  '</>',
  '<!x>',
  '<?xml version="1.0"?>',
  '<![CDATA[x]]>',
  '<a href="unterminated',
  '<a href=x',
  '<a',
  '<!-- unterminated',
  '<style>unterminated',
  '<!DOCTYPE',
  'trailing <',
  '<body>x</body></html>',
  '<a href="https://e.com/?a=1&amp;b=2">caf&eacute; &amp</a>',
  '<img src="https://links.example.com/v1/track/open/abc" width="1">',
];

describe('strict fast path: edge cases', () => {
  it.each(EDGE_CASES.map((h) => [JSON.stringify(h), h]))('%s: same events (when taken) and the same output', (_name, html) => {
    const strict = strictEvents(html);
    if (strict !== null) expect(strict).toEqual(stockEvents(html));
    for (const o of OPTION_SETS) expectSameOutput({ html, text: html }, options(o));
  });

  it('gives up on what it does not handle, and takes well-formed markup', () => {
    for (const h of ['<p>a < b</p>', '</>', '</ a>', '<!x>', '<?x?>', '<![CDATA[x]]>', '<plaintext>x', '<a href="x', '<!-- x', '<style>x', 'a <']) {
      expect(strictEvents(h), h).toBeNull();
    }
    for (const h of ['', 'x', '<a href=x>y</a>', '<!---->', '<style>a<b</style>', '<!DOCTYPE html>']) expect(strictEvents(h), h).not.toBeNull();
  });
});

describe('strict fast path: the corpus', () => {
  it('is present in the repository (test/fixtures/email-html)', () => {
    expect(templates.length).toBeGreaterThan(50);
  });

  let taken = 0;
  describe.each(files.map((f) => [shortName(f), f]))('%s', (_name, path) => {
    const input = readFileSync(path, 'utf8');

    it('same events as the stock Tokenizer; byte-identical output and the same links as the htmlparser2 path', () => {
      const strict = strictEvents(input);
      if (strict !== null) {
        taken++;
        expect(strict).toEqual(stockEvents(input));
      }
      for (const o of OPTION_SETS) expectSameOutput({ html: input }, options(o));
      // With the corpus's "#" and "http://" hrefs filled in, so that there are links to rewrite.
      let n = 0;
      const filled = input.replace(/href="(#|http:\/\/)"/g, () => `href="https://shop.example.net/p/${++n}?utm_source=mail&amp;n=${n}#top"`);
      expectSameOutput({ html: filled }, options({ open: true, click: 'html' }));
    });
  });

  it('takes the fast path on nearly every template (the newsletter included)', () => {
    expect(strictEvents(readFileSync(NEWSLETTER, 'utf8'))).not.toBeNull();
    expect(taken).toBeGreaterThanOrEqual(Math.floor(files.length * 0.9));
  });
});

describe('strict fast path: generated and mangled HTML', () => {
  it(`same events as the stock Tokenizer whenever taken (${RUNS} runs)`, () => {
    let taken = 0;
    fc.assert(
      fc.property(anyHtml, (html) => {
        const strict = strictEvents(html);
        if (strict !== null) {
          taken++;
          expect(strict).toEqual(stockEvents(html));
        }
      }),
      { numRuns: RUNS },
    );
    expect(taken).toBeGreaterThan(RUNS / 10);
  });

  it(`well-formed generated documents take the fast path (${RUNS} runs)`, () => {
    let taken = 0;
    fc.assert(
      fc.property(document(true), (html) => {
        const strict = strictEvents(html);
        if (strict !== null) {
          taken++;
          expect(strict).toEqual(stockEvents(html));
        }
      }),
      { numRuns: RUNS },
    );
    expect(taken).toBeGreaterThan(RUNS * 0.9);
  });

  it(`byte-identical output, edits and links to the htmlparser2 path, every setting (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(anyHtml, fc.option(anyHtml), settings, fc.constantFrom<string[]>([], ['*.example.com'], ['example.org']), (html, txt, s, excludedHosts) => {
        const input = txt === null ? { html } : { html, text: txt };
        expectSameOutput(input, options({ ...s, excludedHosts }));
      }),
      { numRuns: RUNS },
    );
  });
});
