import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeToken } from '../tokens/index.js';
import { prefixedSigner, signerKind } from './click-tokens.js';
import { HmacSha256 } from '../tokens/hmac-sha256.js';
import { expectedLinks } from './expected-links.test-helpers.js';
import { compareTokenizers, FAST_TOKENIZER } from './fast-tokenizer.js';
import { instrument } from './index.js';
import { anyHtml, document, junk, settings, text } from './html-arbitraries.test-helpers.js';
import { checkInvariants, keyring, options, TRACKING } from './instrument.test-helpers.js';

/** More with WAYMARK_PROPERTY_RUNS=5000 (fast-check picks a new seed each run). */
const RUNS = Number(process.env.WAYMARK_PROPERTY_RUNS ?? 400);

describe('property: the engine on generated and mangled HTML', () => {
  it('never throws, keeps every byte outside its edits, and every token decodes to its link', () => {
    fc.assert(
      fc.property(anyHtml, fc.option(fc.oneof(junk, fc.string(), text.map((t) => `${t} https://example.com/x). ${t}`))), settings, (html, txt, s) => {
        const o = options(s);
        const input = txt === null ? { html } : { html, text: txt };
        const r = instrument(input, o);
        checkInvariants(input, r, o);
        if (!s.open) expect(r.pixelInserted).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('is idempotent: a second run changes nothing (documents without opt-out attributes, which the first run removes)', () => {
    fc.assert(
      fc.property(fc.oneof(document(false), junk), settings, (html, s) => {
        const o = options(s);
        const first = instrument({ html }, o);
        const second = instrument({ html: first.html }, o);
        expect(second.html).toBe(first.html);
        expect(second.links).toEqual([]);
        expect(second.pixelInserted).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('tracks exactly the links a spec-compliant parser (parse5) finds, in document order', () => {
    fc.assert(
      fc.property(document(true), (html) => {
        const r = instrument({ html }, options({ click: 'html' }));
        const expected = expectedLinks(html);
        expect(r.links.map((l) => [l.location, l.destination])).toEqual(expected.map((e) => [e.location, e.destination]));
      }),
      { numRuns: RUNS },
    );
  });

  it('inserts exactly one pixel when asked, and none when one is there', () => {
    fc.assert(
      fc.property(document(true), settings, (html, s) => {
        const r = instrument({ html }, options({ ...s, open: true }));
        const count = (h: string) => h.split(`${TRACKING}/v1/track/open/`).length - 1;
        expect(count(r.html!) - count(html)).toBe(r.pixelInserted ? 1 : 0);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('property: the fast paths match the reference ones', () => {
  it('the indexOf tokenizer reports the same events as the stock htmlparser2 Tokenizer', () => {
    expect(FAST_TOKENIZER).toBe(true);
    fc.assert(
      fc.property(anyHtml, (html) => {
        const { stock, fast } = compareTokenizers(html);
        expect(fast).toBe(stock);
      }),
      { numRuns: RUNS },
    );
  });

  it('HmacSha256 computes the same HMAC-SHA256 as node:crypto', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.uint8Array({ maxLength: 600 }), (key, msg) => {
        expect(Buffer.from(new HmacSha256(key).mac(msg)).toString('hex')).toBe(createHmac('sha256', key).update(msg).digest('hex'));
      }),
      { numRuns: RUNS },
    );
    // Every padding boundary, with a short and a long (hashed) key.
    for (const key of [Buffer.from('k'), Buffer.alloc(64, 1), Buffer.alloc(65, 2)]) {
      const h = new HmacSha256(key);
      for (let n = 0; n <= 260; n++) {
        const msg = Buffer.alloc(n, n & 0xff);
        expect(Buffer.from(h.mac(msg)).toString('hex')).toBe(createHmac('sha256', key).update(msg).digest('hex'));
      }
    }
  });

  it('the click signer makes the same tokens as encodeToken', () => {
    expect(signerKind(keyring)).toBe('fast');
    fc.assert(
      fc.property(fc.uuid(), fc.nat(), fc.nat(), fc.string({ unit: 'grapheme', minLength: 1 }), (emailId, hostId, linkIndex, destination) => {
        const fast = prefixedSigner(keyring.signing, emailId, hostId)(linkIndex, destination);
        expect(fast).toBe(encodeToken(keyring, { kind: 'click', emailId, hostId, linkIndex, destination }));
      }),
      { numRuns: RUNS },
    );
  });

  it('the click signer makes the same aggregate tokens as encodeToken', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.nat(), fc.nat(), fc.string({ unit: 'grapheme', minLength: 1 }), (cohortId, hostId, linkIndex, destination) => {
        const fast = prefixedSigner(keyring.signing, cohortId, hostId, 'cohort')(linkIndex, destination);
        expect(fast).toBe(encodeToken(keyring, { kind: 'aggregate_click', cohortId, hostId, linkIndex, destination }));
      }),
      { numRuns: RUNS },
    );
  });
});
