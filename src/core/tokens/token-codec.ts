import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Keyring } from './keyring.js';
import { isUuid } from '../uuid.js';

/**
 * Tracking tokens. The destination travels inside the click token, so the click route can
 * redirect without reading the database and sending to many recipients writes no link rows.
 *
 * Layout (then base64url):
 *   0      version (high nibble, 1) | kind (low nibble: 0 open, 1 click)
 *   1      key id length L, then L bytes of key id (ASCII)
 *   +16    email id (UUID bytes)
 *   varint tracking host id (0 = the default tracking host)
 *   click only: varint link index, then the destination (UTF-8) up to the MAC
 *   last 16 bytes: HMAC-SHA256 over everything before it, truncated to 128 bits
 */
export type TrackingToken = OpenToken | ClickToken;

export interface OpenToken {
  kind: 'open';
  emailId: string;
  hostId: number;
}

export interface ClickToken {
  kind: 'click';
  emailId: string;
  hostId: number;
  linkIndex: number;
  destination: string;
}

const VERSION = 1;
const KIND_OPEN = 0;
const KIND_CLICK = 1;
export const MAC_BYTES = 16;
const UUID_BYTES = 16;
/** Longest token we will try to decode; longer input is refused before any HMAC work. */
export const MAX_TOKEN_LENGTH = 12_000;

export class TokenEncodeError extends Error {}

export function encodeToken(keyring: Keyring, token: TrackingToken): string {
  if (!isUuid(token.emailId)) throw new TokenEncodeError(`email id "${token.emailId}" is not a UUID`);
  assertUint(token.hostId, 'hostId');
  const key = keyring.signing;
  const kid = Buffer.from(key.id, 'latin1');
  const parts: Buffer[] = [
    Buffer.from([(VERSION << 4) | (token.kind === 'open' ? KIND_OPEN : KIND_CLICK), kid.length]),
    kid,
    Buffer.from(token.emailId.replace(/-/g, ''), 'hex'),
    varint(token.hostId),
  ];
  if (token.kind === 'click') {
    assertUint(token.linkIndex, 'linkIndex');
    parts.push(varint(token.linkIndex), Buffer.from(token.destination, 'utf8'));
  }
  const body = Buffer.concat(parts);
  const mac = createHmac('sha256', key.key).update(body).digest().subarray(0, MAC_BYTES);
  return Buffer.concat([body, mac]).toString('base64url');
}

/** Returns null for anything not minted by a key in the ring: garbled, forged, truncated or unknown key. */
export function decodeToken(keyring: Keyring, token: string): TrackingToken | null {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const bytes = Buffer.from(token, 'base64url');
  // Base64 has several spellings of the same bytes; accept only the canonical one.
  if (bytes.toString('base64url') !== token) return null;
  // Minimum: header(2) + kid(1) + uuid + host varint(1) + mac.
  if (bytes.length < 2 + 1 + UUID_BYTES + 1 + MAC_BYTES) return null;
  const header = bytes[0]!;
  if (header >> 4 !== VERSION) return null;
  const kind = header & 0x0f;
  if (kind !== KIND_OPEN && kind !== KIND_CLICK) return null;
  const kidLength = bytes[1]!;
  const bodyEnd = bytes.length - MAC_BYTES;
  let offset = 2 + kidLength;
  if (kidLength === 0 || offset + UUID_BYTES >= bodyEnd) return null;
  const key = keyring.find(bytes.toString('latin1', 2, offset));
  if (!key) return null;
  const body = bytes.subarray(0, bodyEnd);
  const expected = createHmac('sha256', key.key).update(body).digest().subarray(0, MAC_BYTES);
  if (!timingSafeEqual(expected, bytes.subarray(bodyEnd))) return null;

  // Authentic from here on; the parsing below still guards against our own malformed output.
  const emailId = formatUuid(bytes.subarray(offset, offset + UUID_BYTES));
  offset += UUID_BYTES;
  const host = readVarint(bytes, offset, bodyEnd);
  if (!host) return null;
  offset = host.next;
  if (kind === KIND_OPEN) return offset === bodyEnd ? { kind: 'open', emailId, hostId: host.value } : null;
  const link = readVarint(bytes, offset, bodyEnd);
  if (!link) return null;
  const destination = bytes.toString('utf8', link.next, bodyEnd);
  if (destination.length === 0) return null;
  return { kind: 'click', emailId, hostId: host.value, linkIndex: link.value, destination };
}

function assertUint(n: number, name: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new TokenEncodeError(`${name} must be a non-negative integer`);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

function readVarint(bytes: Buffer, start: number, end: number): { value: number; next: number } | null {
  let value = 0;
  let scale = 1;
  for (let i = start; i < end && i < start + 7; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return { value, next: i + 1 };
    scale *= 0x80;
  }
  return null;
}

function formatUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
