import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { parseKeyring } from './keyring.js';
import { MAC_BYTES, TokenEncodeError, decodeToken, encodeToken, type TrackingToken } from './token-codec.js';

const secret = 'fixed-test-vector-secret-0123456789';
const ring = parseKeyring(`v1:${secret}`);
const emailId = '01936f5e-7a2b-7c3d-8e4f-5a6b7c8d9e0f';
const cohortId = '0193a1c2-0000-7abc-9def-0123456789ab';
const destination = 'https://example.com/ünï?a=b#c';

/**
 * Tokens as minted before the aggregate kinds existed (and, for those, when they were added).
 * They are in mail already sent: they must decode to exactly this, and encode to exactly this.
 */
const VECTORS: readonly (readonly [string, TrackingToken])[] = [
  ['EAJ2MQGTb156K3w9jk9aa3yNng8AnmX6jqJMh-KcePSus_3sNg', { kind: 'open', emailId, hostId: 0 }],
  [
    'EQJ2MQGTb156K3w9jk9aa3yNng-sAilodHRwczovL2V4YW1wbGUuY29tL8O8bsOvP2E9YiNjAPyQMiIO4Kl8nzRgtBPNIw',
    { kind: 'click', emailId, hostId: 300, linkIndex: 41, destination },
  ],
  ['EgJ2MQGTocIAAHq8ne8BI0VniasAYMWfJhEK-rht7-o_QrR6cw', { kind: 'aggregate_open', cohortId, hostId: 0 }],
  [
    'EwJ2MQGTocIAAHq8ne8BI0VniausAilodHRwczovL2V4YW1wbGUuY29tL8O8bsOvP2E9YiNjtNchACDo8T4yxHGPZb9orA',
    { kind: 'aggregate_click', cohortId, hostId: 300, linkIndex: 41, destination },
  ],
];

/** The token with its kind nibble set to `code`, the MAC left as it was. */
function withKindNibble(token: string, code: number): string {
  const bytes = Buffer.from(token, 'base64url');
  bytes[0] = (bytes[0]! & 0xf0) | code;
  return bytes.toString('base64url');
}

/** The token with its kind nibble set to `code` and a valid MAC under `secret` (a forgery by a key holder). */
function resigned(token: string, code: number): string {
  const bytes = Buffer.from(withKindNibble(token, code), 'base64url');
  const bodyEnd = bytes.length - MAC_BYTES;
  createHmac('sha256', secret).update(bytes.subarray(0, bodyEnd)).digest().copy(bytes, bodyEnd, 0, MAC_BYTES);
  return bytes.toString('base64url');
}

const anyToken: fc.Arbitrary<TrackingToken> = fc
  .record({
    kind: fc.constantFrom('open', 'click', 'aggregate_open', 'aggregate_click'),
    id: fc.uuid(),
    hostId: fc.nat(1 << 20),
    linkIndex: fc.nat(),
    destination: fc.string({ minLength: 1, maxLength: 300 }),
  })
  .map(({ kind, id, hostId, linkIndex, destination }): TrackingToken => {
    switch (kind) {
      case 'open':
        return { kind, emailId: id, hostId };
      case 'click':
        return { kind, emailId: id, hostId, linkIndex, destination };
      case 'aggregate_open':
        return { kind, cohortId: id, hostId };
      case 'aggregate_click':
        return { kind, cohortId: id, hostId, linkIndex, destination };
    }
  });

describe('token kinds', () => {
  it('decodes the fixed tokens exactly, and encodes them byte for byte', () => {
    for (const [token, decoded] of VECTORS) {
      expect(decodeToken(ring, token)).toEqual(decoded);
      expect(encodeToken(ring, decoded)).toBe(token);
    }
  });

  it('keeps the layout: only the kind nibble and the 16-byte id tell an aggregate token from a per-email one', () => {
    const bytes = VECTORS.map(([token]) => Buffer.from(token, 'base64url'));
    expect(bytes.map((b) => b[0])).toEqual([0x10, 0x11, 0x12, 0x13]);
    const idAt = 2 + 'v1'.length;
    expect(bytes[2]!.toString('hex', idAt, idAt + 16)).toBe(cohortId.replace(/-/g, ''));
    expect(bytes[0]!.length).toBe(bytes[2]!.length);
    expect(bytes[1]!.length).toBe(bytes[3]!.length);
    // Same body after the id (host, index, destination).
    expect(bytes[3]!.subarray(idAt + 16, -MAC_BYTES).equals(bytes[1]!.subarray(idAt + 16, -MAC_BYTES))).toBe(true);
  });

  it('round-trips aggregate tokens, which carry the cohort id and no email id', () => {
    const id = uuidv7();
    const open = decodeToken(ring, encodeToken(ring, { kind: 'aggregate_open', cohortId: id, hostId: 7 }));
    expect(open).toEqual({ kind: 'aggregate_open', cohortId: id, hostId: 7 });
    expect(open).not.toHaveProperty('emailId');
    const click = { kind: 'aggregate_click', cohortId: id, hostId: 0, linkIndex: 2_147_483_647, destination: 'https://x.test/' } as const;
    expect(decodeToken(ring, encodeToken(ring, click))).toEqual(click);
  });

  it('refuses every other kind nibble on a token, the MAC kept (the MAC covers the kind)', () => {
    for (const [token] of VECTORS) {
      const own = Buffer.from(token, 'base64url')[0]! & 0x0f;
      for (let code = 0; code < 16; code++) {
        if (code !== own) expect(decodeToken(ring, withKindNibble(token, code))).toBeNull();
      }
    }
  });

  it('refuses unknown kind nibbles even with a valid MAC', () => {
    for (const [token] of VECTORS) {
      for (let code = 4; code < 16; code++) expect(decodeToken(ring, resigned(token, code))).toBeNull();
    }
  });

  it('refuses a token whose every single bit is flipped, for the aggregate kinds too', () => {
    for (const [token] of VECTORS.slice(2)) {
      const bytes = Buffer.from(token, 'base64url');
      for (let i = 0; i < bytes.length * 8; i++) {
        const copy = Buffer.from(bytes);
        copy[i >> 3] = copy[i >> 3]! ^ (1 << (i & 7));
        expect(decodeToken(ring, copy.toString('base64url'))).toBeNull();
      }
    }
  });

  it('refuses to encode a non-UUID cohort id, an email id in place of a cohort id, or an unknown kind', () => {
    expect(() => encodeToken(ring, { kind: 'aggregate_open', cohortId: 'nope', hostId: 0 })).toThrow(/cohort id "nope" is not a UUID/);
    const misfiled = { kind: 'aggregate_click', emailId, hostId: 0, linkIndex: 0, destination } as unknown as TrackingToken;
    expect(() => encodeToken(ring, misfiled)).toThrow(TokenEncodeError);
    const unknown = { kind: 'opened', emailId, hostId: 0 } as unknown as TrackingToken;
    expect(() => encodeToken(ring, unknown)).toThrow(/unknown token kind/);
  });

  it('round-trips every kind, and no kind decodes as another (property)', () => {
    fc.assert(
      fc.property(anyToken, fc.nat(15), (t, code) => {
        const token = encodeToken(ring, t);
        expect(decodeToken(ring, token)).toEqual(t);
        const own = Buffer.from(token, 'base64url')[0]! & 0x0f;
        if (code !== own) expect(decodeToken(ring, withKindNibble(token, code))).toBeNull();
      }),
      { numRuns: 1000 },
    );
  });
});
