import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { files } from '../../../test/support/corpus-files.js';
import { TRAP_LINK_INDEX } from '../classification/trap.js';
import { decodeToken } from '../tokens/index.js';
import { instrument, InstrumentOptionsError, type InstrumentOptions, type InstrumentResult } from './index.js';
import { anyHtml, settings } from './html-arbitraries.test-helpers.js';
import { checkInvariants, keyring, options, TRACKING } from './instrument.test-helpers.js';

const RUNS = Number(process.env.WAYMARK_PROPERTY_RUNS ?? 400);

const HTML =
  '<!DOCTYPE html><html><body>\n<p><a href="https://example.com/a?x=1">A</a> <a href="https://example.org/b">B</a></p>' +
  '<!--[if mso]><v:roundrect href="https://example.com/vml"><center>Go</center></v:roundrect><![endif]--></body></html>';
const TEXT = 'Read https://example.com/a?x=1 and https://example.net/t';

/** Every tracking URL in the output, by route, with its token decoded. */
function trackingUrls(out: string): { route: string; token: string; decoded: ReturnType<typeof decodeToken> }[] {
  return [...out.matchAll(/\/v1\/track\/([a-z]+)\/([A-Za-z0-9_-]+)/g)].map((m) => ({ route: m[1]!, token: m[2]!, decoded: decodeToken(keyring, m[2]!) }));
}

/** Checks that nothing in the output carries the email id, in any spelling, and every token names the cohort. */
function expectOnlyCohort(r: InstrumentResult, o: InstrumentOptions): void {
  const out = `${r.html ?? ''}\n${r.text ?? ''}`;
  const hex = o.emailId.replace(/-/g, '');
  const idBytes = Buffer.from(hex, 'hex');
  expect(out.toLowerCase()).not.toContain(o.emailId.toLowerCase());
  expect(out.toLowerCase()).not.toContain(hex.toLowerCase());
  for (const { route, token, decoded } of trackingUrls(out)) {
    expect(decoded).not.toBeNull();
    expect(decoded!.kind).toBe(route === 'open' ? 'aggregate_open' : 'aggregate_click');
    expect(decoded).toMatchObject({ cohortId: o.aggregateCohortId, hostId: o.hostId ?? 0 });
    expect(decoded).not.toHaveProperty('emailId');
    expect(Buffer.from(token, 'base64url').includes(idBytes)).toBe(false);
  }
}

describe('aggregate-only mode (aggregateCohortId)', () => {
  it('signs the pixel, every link and the trap link with the cohort id and never the email id', () => {
    const o = options({ open: true, trapLink: true, hostId: 3, aggregateCohortId: uuidv7() });
    const input = { html: HTML, text: TEXT };
    const r = instrument(input, o);
    checkInvariants(input, r, o);
    expectOnlyCohort(r, o);
    expect(r.pixelInserted).toBe(true);
    expect(r.trapInserted).toBe(true);
    const kinds = trackingUrls(`${r.html}\n${r.text}`).map((u) => [u.decoded!.kind, u.decoded!.kind === 'aggregate_click' ? u.decoded!.linkIndex : null]);
    // The trap, the three html and VML links, the pixel, then the two text links.
    expect(kinds).toEqual([
      ['aggregate_click', TRAP_LINK_INDEX],
      ['aggregate_click', 0],
      ['aggregate_click', 1],
      ['aggregate_click', 2],
      ['aggregate_open', null],
      ['aggregate_click', 3],
      ['aggregate_click', 4],
    ]);
  });

  it('tracks the same links, at the same places, as the per-email mode', () => {
    const perEmail = options({ open: true, trapLink: true });
    const aggregate = { ...perEmail, aggregateCohortId: uuidv7() };
    const input = { html: HTML, text: TEXT };
    const a = instrument(input, perEmail);
    const b = instrument(input, aggregate);
    expect(b.links).toEqual(a.links);
    const where = (r: InstrumentResult) => [...r.htmlEdits, ...r.textEdits].map((e) => [e.start, e.end, e.original]);
    expect(where(b)).toEqual(where(a));
    expect([b.pixelInserted, b.trapInserted]).toEqual([a.pixelInserted, a.trapInserted]);
  });

  it('is idempotent like the per-email mode', () => {
    const o = options({ open: true, trapLink: true, aggregateCohortId: uuidv7() });
    const first = instrument({ html: HTML }, o);
    const second = instrument({ html: first.html }, o);
    expect(second.html).toBe(first.html);
    expect(second.links).toEqual([]);
  });

  it('still requires a valid email id, and a UUID for the cohort', () => {
    const cohort = uuidv7();
    expect(() => instrument({ html: HTML }, options({ emailId: 'nope', aggregateCohortId: cohort }))).toThrow(InstrumentOptionsError);
    expect(() => instrument({ html: HTML }, options({ aggregateCohortId: 'not-a-uuid' }))).toThrow(/aggregateCohortId "not-a-uuid" is not a UUID/);
    expect(() => instrument({ html: HTML }, options({ aggregateCohortId: '' }))).toThrow(InstrumentOptionsError);
  });

  it('carries no email id anywhere in the corpus and the newsletter, VML included', () => {
    for (const path of files) {
      const html = readFileSync(path, 'utf8').replace(/href="(#|http:\/\/)"/g, (_m, _h, at: number) => `href="https://shop.example.net/p/${at}"`);
      const o = options({ open: true, click: 'html', trapLink: true, aggregateCohortId: uuidv7() });
      const r = instrument({ html }, o);
      checkInvariants({ html }, r, o);
      expectOnlyCohort(r, o);
      expect(r.html!.split(`${TRACKING}/v1/track/`).length - 1).toBe(r.links.length + (r.pixelInserted ? 1 : 0) + (r.trapInserted ? 1 : 0));
    }
  });

  it('on any input and settings: no email id in the output, the same links as per email (property)', () => {
    fc.assert(
      fc.property(anyHtml, fc.option(fc.string({ maxLength: 200 })), settings, fc.uuid(), (html, txt, s, cohortId) => {
        const input = txt === null ? { html } : { html, text: `${txt} https://example.com/t ${txt}` };
        const perEmail = options({ ...s, aggregateCohortId: undefined });
        const aggregate = { ...perEmail, aggregateCohortId: cohortId };
        const r = instrument(input, aggregate);
        checkInvariants(input, r, aggregate);
        // Only the tokens this run minted: the input may hold tracking URLs of its own.
        const minted = { ...r, html: r.htmlEdits.map((e) => e.replacement).join('\n'), text: r.textEdits.map((e) => e.replacement).join('\n') };
        expectOnlyCohort(minted, aggregate);
        expect(r.links).toEqual(instrument(input, perEmail).links);
      }),
      { numRuns: RUNS },
    );
  });
});
