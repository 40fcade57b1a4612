import { describe, expect, it } from 'vitest';
import { parseKeyring } from '../tokens/index.js';
import { SealedBoxError, seal, unseal } from './sealed-box.js';

const old = 'old:' + 'o'.repeat(40);
const next = 'new:' + 'n'.repeat(40);

describe('sealed box', () => {
  it('opens what it sealed, and the sealed text does not contain the secret', () => {
    const ring = parseKeyring(old);
    const sealed = seal(ring, 'dkim:d1', '-----BEGIN PRIVATE KEY-----\nabc\n');
    expect(sealed).not.toContain('PRIVATE');
    expect(unseal(ring, 'dkim:d1', sealed)).toBe('-----BEGIN PRIVATE KEY-----\nabc\n');
  });

  it('still opens after a rotation while the old key is kept, and not once it is removed', () => {
    const sealed = seal(parseKeyring(old), 'dkim:d1', 'secret');
    expect(unseal(parseKeyring(`${next},${old}`), 'dkim:d1', sealed)).toBe('secret');
    expect(() => unseal(parseKeyring(next), 'dkim:d1', sealed)).toThrow(/not in WAYMARK_SECRET/);
  });

  it('refuses another purpose, a tampered ciphertext and garbage', () => {
    const ring = parseKeyring(old);
    const sealed = seal(ring, 'dkim:d1', 'secret');
    expect(() => unseal(ring, 'dkim:d2', sealed)).toThrow(SealedBoxError);
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[4]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[4] = ct.toString('base64url');
    expect(() => unseal(ring, 'dkim:d1', parts.join('.'))).toThrow(SealedBoxError);
    expect(() => unseal(ring, 'dkim:d1', 'plain text')).toThrow(SealedBoxError);
  });
});
