import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { Keyring, deriveKeyId, parseKeyring, signingKey } from './keyring.js';
import { MAC_BYTES, decodeToken, encodeToken, isCanonicalBase64url } from './token-codec.js';

const secretA = 'a'.repeat(32);
const secretB = 'b'.repeat(40);
const ring = parseKeyring(`main:${secretA}`);

describe('token codec', () => {
  it('round-trips open and click tokens', () => {
    const emailId = uuidv7();
    const open = encodeToken(ring, { kind: 'open', emailId, hostId: 0 });
    expect(decodeToken(ring, open)).toEqual({ kind: 'open', emailId, hostId: 0 });
    const click = { kind: 'click', emailId, hostId: 300, linkIndex: 41, destination: 'https://example.com/a?b=c#d' } as const;
    expect(decodeToken(ring, encodeToken(ring, click))).toEqual(click);
  });

  it('is URL-safe and compact', () => {
    const token = encodeToken(ring, { kind: 'open', emailId: uuidv7(), hostId: 0 });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThan(64);
  });

  it('truncates the MAC to exactly 128 bits of HMAC-SHA256 over the body', () => {
    const token = encodeToken(ring, { kind: 'open', emailId: uuidv7(), hostId: 0 });
    const bytes = Buffer.from(token, 'base64url');
    const body = bytes.subarray(0, bytes.length - MAC_BYTES);
    const mac = createHmac('sha256', secretA).update(body).digest().subarray(0, MAC_BYTES);
    expect(bytes.subarray(bytes.length - MAC_BYTES).equals(mac)).toBe(true);
  });

  it('refuses a token whose every single bit is flipped', () => {
    const token = encodeToken(ring, { kind: 'click', emailId: uuidv7(), hostId: 1, linkIndex: 2, destination: 'https://x.test/' });
    const bytes = Buffer.from(token, 'base64url');
    for (let i = 0; i < bytes.length * 8; i++) {
      const copy = Buffer.from(bytes);
      copy[i >> 3] = copy[i >> 3]! ^ (1 << (i & 7));
      expect(decodeToken(ring, copy.toString('base64url'))).toBeNull();
    }
  });

  it('refuses tokens signed with an unknown key, truncated, extended or garbled', () => {
    const other = parseKeyring(`main:${secretB}`);
    const token = encodeToken(other, { kind: 'open', emailId: uuidv7(), hostId: 0 });
    expect(decodeToken(ring, token)).toBeNull();
    const good = encodeToken(ring, { kind: 'open', emailId: uuidv7(), hostId: 0 });
    expect(decodeToken(ring, good.slice(0, -1))).toBeNull();
    expect(decodeToken(ring, good + 'A')).toBeNull();
    // Same bytes, non-canonical spelling (unused low bits of the last character set).
    const last = good.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const tweaked = good.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
    expect(Buffer.from(tweaked, 'base64url').equals(Buffer.from(good, 'base64url'))).toBe(good.length % 4 !== 0);
    expect(decodeToken(ring, tweaked)).toBeNull();
    for (const junk of ['', '.', 'a/b', '%41', 'x'.repeat(20_000), good.replace(/./, '+')]) {
      expect(decodeToken(ring, junk)).toBeNull();
    }
  });

  it('takes a base64url spelling as canonical exactly when decoding and encoding again gives it back (property)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 40 }), (chars) => {
        const s = chars.join('');
        expect(isCanonicalBase64url(s)).toBe(Buffer.from(s, 'base64url').toString('base64url') === s);
      }),
      { numRuns: 5_000 },
    );
  });

  it('verifies with every key in the ring and signs with the first, so keys rotate', () => {
    const oldRing = parseKeyring(`old:${secretA}`);
    const rotated = parseKeyring(`new:${secretB},old:${secretA}`);
    const emailId = uuidv7();
    const minted = encodeToken(oldRing, { kind: 'open', emailId, hostId: 0 });
    expect(decodeToken(rotated, minted)).toEqual({ kind: 'open', emailId, hostId: 0 });
    expect(rotated.signing.id).toBe('new');
    expect(decodeToken(oldRing, encodeToken(rotated, { kind: 'open', emailId, hostId: 0 }))).toBeNull();
  });

  it('never decodes a forgery, for any bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        expect(decodeToken(ring, Buffer.from(bytes).toString('base64url'))).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips any destination, host and index (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 500 }), fc.nat(), fc.nat(1 << 20), (destination, linkIndex, hostId) => {
        const emailId = uuidv7();
        const t = { kind: 'click', emailId, hostId, linkIndex, destination } as const;
        expect(decodeToken(ring, encodeToken(ring, t))).toEqual(t);
      }),
    );
  });
});

describe('keyring', () => {
  it('parses bare secrets with a derived id and id:secret entries', () => {
    const k = parseKeyring(` ${secretA} , b2:${secretB}`);
    expect(k.ids).toEqual([deriveKeyId(secretA), 'b2']);
    expect(k.signing.id).toBe(deriveKeyId(secretA));
  });

  it('refuses short secrets, duplicate ids and empty specs', () => {
    expect(() => parseKeyring('short')).toThrow(/at least 32/);
    expect(() => parseKeyring(`x:${secretA},x:${secretB}`)).toThrow(/twice/);
    expect(() => parseKeyring(' , ')).toThrow(/no signing secret/);
    // An id: prefix always names the key, so a short secret is refused under that id.
    expect(() => parseKeyring(`k2:${'s'.repeat(31)}`)).toThrow(/secret for key "k2" is 31 characters/);
    expect(() => parseKeyring('k1:short')).toThrow(/key "k1"/);
    expect(() => new Keyring([])).toThrow();
    expect(() => signingKey('bad id!', secretA)).not.toThrow();
    expect(() => new Keyring([signingKey('bad id!', secretA)])).toThrow(/key id/);
  });
});
