import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Keyring, SigningKey } from './keyring.js';
import { HmacSha256 } from './hmac-sha256.js';
import { isUuid } from '../uuid.js';

/**
 * Tracking tokens. The destination travels inside the click token, so the click route can
 * redirect without reading the database and sending to many recipients writes no link rows.
 *
 * Layout (then base64url):
 *   0      version (high nibble, 1) | kind (low nibble: 0 open, 1 click, 2 aggregate open, 3 aggregate click)
 *   1      key id length L, then L bytes of key id (ASCII)
 *   +16    open and click: the email id; aggregate kinds: the cohort id (UUID bytes)
 *   varint tracking host id (0 = the default tracking host)
 *   click kinds only: varint link index, then the destination (UTF-8) up to the MAC
 *   last 16 bytes: HMAC-SHA256 over everything before it, truncated to 128 bits
 *
 * The MAC covers the kind, so a token of one kind cannot be made into another: a click token is
 * never an open token, an aggregate token never a per-email one.
 */
export type TrackingToken = OpenToken | ClickToken | AggregateOpenToken | AggregateClickToken;

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

/**
 * Aggregate-only tracking: the token names a cohort (emails of one project, sending domain, tags
 * and send hour), never an email, so a hit on it can only be counted with the cohort's others.
 */
export interface AggregateOpenToken {
  kind: 'aggregate_open';
  cohortId: string;
  hostId: number;
}

export interface AggregateClickToken {
  kind: 'aggregate_click';
  cohortId: string;
  hostId: number;
  linkIndex: number;
  destination: string;
}

const VERSION = 1;
/** By kind nibble. The codes are in sent mail: never renumber them. */
const KINDS = ['open', 'click', 'aggregate_open', 'aggregate_click'] as const satisfies readonly TrackingToken['kind'][];
const KIND_CODES = new Map<string, number>(KINDS.map((kind, code) => [kind, code]));
export const MAC_BYTES = 16;
const UUID_BYTES = 16;
/** Longest token we will try to decode; longer input is refused before any HMAC work. */
export const MAX_TOKEN_LENGTH = 12_000;

export class TokenEncodeError extends Error {}

/** A token's first byte: the version and its kind (for signers that lay tokens out themselves). */
export function tokenHeader(kind: TrackingToken['kind']): number {
  const code = KIND_CODES.get(kind);
  if (code === undefined) throw new TokenEncodeError(`unknown token kind "${String(kind)}"`);
  return (VERSION << 4) | code;
}

export function encodeToken(keyring: Keyring, token: TrackingToken): string {
  const header = tokenHeader(token.kind);
  const aggregate = token.kind === 'aggregate_open' || token.kind === 'aggregate_click';
  const id = aggregate ? token.cohortId : token.emailId;
  if (!isUuid(id)) throw new TokenEncodeError(`${aggregate ? 'cohort' : 'email'} id "${id}" is not a UUID`);
  assertUint(token.hostId, 'hostId');
  const key = keyring.signing;
  const kid = Buffer.from(key.id, 'latin1');
  const parts: Buffer[] = [Buffer.from([header, kid.length]), kid, Buffer.from(id.replace(/-/g, ''), 'hex'), varint(token.hostId)];
  if (token.kind === 'click' || token.kind === 'aggregate_click') {
    assertUint(token.linkIndex, 'linkIndex');
    parts.push(varint(token.linkIndex), Buffer.from(token.destination, 'utf8'));
  }
  const body = Buffer.concat(parts);
  const mac = createHmac('sha256', key.key).update(body).digest().subarray(0, MAC_BYTES);
  return Buffer.concat([body, mac]).toString('base64url');
}

/** Returns null for anything not minted by a key in the ring: garbled, forged, truncated or unknown key. */
export function decodeToken(keyring: Keyring, token: string): TrackingToken | null {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !TOKEN_CHARS.test(token) || !isCanonicalBase64url(token)) return null;
  const bytes = Buffer.from(token, 'base64url');
  // Minimum: header(2) + kid(1) + uuid + host varint(1) + mac.
  if (bytes.length < 2 + 1 + UUID_BYTES + 1 + MAC_BYTES) return null;
  const header = bytes[0]!;
  if (header >> 4 !== VERSION) return null;
  const kind = KINDS[header & 0x0f];
  if (kind === undefined) return null;
  const kidLength = bytes[1]!;
  const bodyEnd = bytes.length - MAC_BYTES;
  let offset = 2 + kidLength;
  if (kidLength === 0 || offset + UUID_BYTES >= bodyEnd) return null;
  const key = keyring.find(bytes.toString('latin1', 2, offset));
  if (!key) return null;
  macOf(key, bytes, bodyEnd, expectedMac);
  if (!timingSafeEqual(expectedMac, bytes.subarray(bodyEnd))) return null;

  // Authentic from here on; the parsing below still guards against our own malformed output.
  const id = formatUuid(bytes.subarray(offset, offset + UUID_BYTES));
  offset += UUID_BYTES;
  const host = readVarint(bytes, offset, bodyEnd);
  if (!host) return null;
  const hostId = host.value;
  offset = host.next;
  if (kind === 'open' || kind === 'aggregate_open') {
    if (offset !== bodyEnd) return null;
    return kind === 'open' ? { kind, emailId: id, hostId } : { kind, cohortId: id, hostId };
  }
  const link = readVarint(bytes, offset, bodyEnd);
  if (!link) return null;
  const linkIndex = link.value;
  const destination = bytes.toString('utf8', link.next, bodyEnd);
  if (destination.length === 0) return null;
  return kind === 'click' ? { kind, emailId: id, hostId, linkIndex, destination } : { kind, cohortId: id, hostId, linkIndex, destination };
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

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function formatUuid(b: Buffer): string {
  let out = '';
  for (let i = 0; i < UUID_BYTES; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX[b[i]!]!;
  }
  return out;
}

const TOKEN_CHARS = /^[A-Za-z0-9_-]+$/;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Base64 has several spellings of the same bytes; only the canonical one (what encoding gives) is
 * a token. Unpadded, that means no length of 1 mod 4 and no stray bits in the last character: the
 * same test as decoding and encoding again, without the second pass.
 */
export function isCanonicalBase64url(token: string): boolean {
  const rem = token.length & 3;
  if (rem === 0) return true;
  if (rem === 1) return false;
  const last = BASE64URL.indexOf(token[token.length - 1]!);
  return (last & (rem === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * Each key's HMAC with its pads absorbed once (hmac-sha256.ts): node:crypto's createHmac costs
 * about 2 µs of setup per call, which was the largest single cost of a tracking hit. A key whose
 * fast HMAC ever disagrees with node:crypto on the self-check is verified by node:crypto instead.
 */
const hmacs = new WeakMap<SigningKey, HmacSha256 | null>();
const expectedMac = Buffer.alloc(MAC_BYTES);

function macOf(key: SigningKey, bytes: Buffer, bodyEnd: number, out: Buffer): void {
  let hmac = hmacs.get(key);
  if (hmac === undefined) {
    hmac = checkedHmac(key);
    hmacs.set(key, hmac);
  }
  if (hmac !== null) hmac.macInto(bytes, bodyEnd, out, 0, MAC_BYTES);
  else createHmac('sha256', key.key).update(bytes.subarray(0, bodyEnd)).digest().copy(out, 0, 0, MAC_BYTES);
}

/** The fast HMAC of `key`, if it agrees with node:crypto on messages of every length up to four blocks. */
function checkedHmac(key: SigningKey): HmacSha256 | null {
  try {
    const hmac = new HmacSha256(key.key.export());
    const msg = Buffer.alloc(256);
    for (let i = 0; i < msg.length; i++) msg[i] = (i * 131 + 7) & 0xff;
    const fast = Buffer.alloc(32);
    for (let n = 0; n <= msg.length; n++) {
      hmac.macInto(msg, n, fast, 0, 32);
      if (!fast.equals(createHmac('sha256', key.key).update(msg.subarray(0, n)).digest())) return null;
    }
    return hmac;
  } catch {
    return null;
  }
}
