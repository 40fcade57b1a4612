import { crc32 } from 'node:zlib';
import type { TrackingHit } from '../model.js';

/**
 * The record codec of the hit journal. A record is
 *
 *   magic (2 bytes) | payload length (u32 LE) | CRC-32 of length+payload (u32 LE) | payload
 *
 * and its payload is a hit as a JSON array of its fields in a fixed order. The magic's first byte,
 * 0xF7, never occurs in UTF-8, so it never occurs inside a payload: scanning for it after damage
 * only stops at record starts (or in headers and garbage, where the checksum rejects it). The
 * second byte names the format, so a later format can be told apart.
 */

/** A tracking hit as the journal keeps it. */
export type JournalHit = TrackingHit;

export const RECORD_MAGIC = Buffer.from([0xf7, 0x4a]);
export const RECORD_HEADER_BYTES = 10;
/** Far above any hit; a larger length is damage, not a record. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

const MAGIC_0 = 0xf7;
const MAGIC_1 = 0x4a;

export interface DecodedRecord<H = JournalHit> {
  hit: H;
  /** Where the record starts in the buffer. */
  offset: number;
  /** Where it ends (the next record's offset). */
  end: number;
}

export interface CorruptSpan {
  /** Where the damaged bytes start. */
  offset: number;
  /** Where decoding picked up again: the start of the next good record. */
  end: number;
  reason: string;
}

export interface DecodeResult<H = JournalHit> {
  hits: H[];
  records: DecodedRecord<H>[];
  /** Damaged stretches that a good record follows (each skipped, none lost beyond itself). */
  corrupt: CorruptSpan[];
  /**
   * Where undecodable bytes at the end start, or null when the buffer ends on a record boundary:
   * a record cut short, or damage that no good record follows. In a buffer that is only a prefix
   * of the data, it is where to read on from.
   */
  tornTailAt: number | null;
  /** Why the tail does not decode (null without one). */
  tailReason: string | null;
  /** Where decoding stopped: the buffer's end, tornTailAt, or the last record's end at `maxRecords`. */
  end: number;
}

/** Encodes the hits as consecutive records, in order, in one buffer. */
export function encodeRecords(hits: readonly JournalHit[]): Buffer {
  const payloads = hits.map(payloadOf);
  let total = 0;
  for (const p of payloads) total += RECORD_HEADER_BYTES + Buffer.byteLength(p);
  const buf = Buffer.allocUnsafe(total);
  let at = 0;
  for (const p of payloads) {
    const len = buf.write(p, at + RECORD_HEADER_BYTES, 'utf8');
    if (len > MAX_PAYLOAD_BYTES) throw new RangeError(`a hit of ${len} bytes is over the journal's record limit`);
    buf[at] = MAGIC_0;
    buf[at + 1] = MAGIC_1;
    buf.writeUInt32LE(len, at + 2);
    buf.writeUInt32LE(checksum(buf, at, len), at + 6);
    at += RECORD_HEADER_BYTES + len;
  }
  return buf;
}

/**
 * Decodes the records from `start` (at most `maxRecords`). A record whose framing or checksum is
 * wrong is skipped: decoding resyncs at the next offset where a whole record with a good checksum
 * lies, so one damaged record (even a damaged length) loses only itself.
 */
export function decodeRecords(buf: Buffer, start = 0, maxRecords = Infinity): DecodeResult {
  return scanRecords(buf, start, maxRecords, parsePayload);
}

/**
 * The framing alone (checksums, no payload parsing): where the records and the damage lie. Used to
 * find the end of the last good record without parsing every hit.
 */
export function scanRecords(buf: Buffer, start?: number, maxRecords?: number): DecodeResult<null>;
export function scanRecords<H>(
  buf: Buffer,
  start: number,
  maxRecords: number,
  parse: (text: string) => H | string,
): DecodeResult<H>;
export function scanRecords<H>(
  buf: Buffer,
  start = 0,
  maxRecords = Infinity,
  parse?: (text: string) => H | string,
): DecodeResult<H | null> {
  const records: DecodedRecord<H | null>[] = [];
  const hits: (H | null)[] = [];
  const corrupt: CorruptSpan[] = [];
  let at = start;
  while (at < buf.length && records.length < maxRecords) {
    const frame = frameAt(buf, at);
    if (frame.kind === 'ok') {
      const end = at + RECORD_HEADER_BYTES + frame.length;
      if (parse) {
        const hit = parse(buf.toString('utf8', at + RECORD_HEADER_BYTES, end));
        if (typeof hit === 'string') {
          // A sound frame whose payload is not a hit: skip just this record.
          corrupt.push({ offset: at, end, reason: hit });
          at = end;
          continue;
        }
        records.push({ hit, offset: at, end });
        hits.push(hit);
      } else {
        records.push({ hit: null, offset: at, end });
        hits.push(null);
      }
      at = end;
      continue;
    }
    const next = resync(buf, at + 1);
    if (next === null) {
      return { hits, records, corrupt, tornTailAt: at, tailReason: frame.reason, end: at };
    }
    corrupt.push({ offset: at, end: next, reason: frame.reason });
    at = next;
  }
  return { hits, records, corrupt, tornTailAt: null, tailReason: null, end: at };
}

type Frame = { kind: 'ok'; length: number } | { kind: 'bad' | 'short'; reason: string };

function frameAt(buf: Buffer, at: number): Frame {
  const left = buf.length - at;
  if (left < 2 || buf[at] !== MAGIC_0 || buf[at + 1] !== MAGIC_1) {
    if (left < 2 && buf[at] === MAGIC_0) return { kind: 'short', reason: 'record cut short in its header' };
    return { kind: 'bad', reason: 'no record magic' };
  }
  if (left < RECORD_HEADER_BYTES) return { kind: 'short', reason: 'record cut short in its header' };
  const length = buf.readUInt32LE(at + 2);
  if (length > MAX_PAYLOAD_BYTES) return { kind: 'bad', reason: `length ${length} over the limit` };
  if (left < RECORD_HEADER_BYTES + length) return { kind: 'short', reason: 'record cut short in its payload' };
  if (buf.readUInt32LE(at + 6) !== checksum(buf, at, length)) return { kind: 'bad', reason: 'checksum mismatch' };
  return { kind: 'ok', length };
}

/** The first offset from `from` on where a whole record with a good checksum lies, or null. */
function resync(buf: Buffer, from: number): number | null {
  for (let at = buf.indexOf(MAGIC_0, from); at !== -1; at = buf.indexOf(MAGIC_0, at + 1)) {
    if (frameAt(buf, at).kind === 'ok') return at;
  }
  return null;
}

/** CRC-32 over the length field and the payload (the checksum field sits between them). */
function checksum(buf: Buffer, at: number, length: number): number {
  const lengthField = crc32(buf.subarray(at + 2, at + 6));
  return crc32(buf.subarray(at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + length), lengthField);
}

function payloadOf(hit: JournalHit): string {
  // JSON keeps any string exactly (lone surrogates are escaped), but not NaN or Infinity: refuse
  // them here rather than write a record that would never decode.
  if (!Number.isFinite(hit.createdAt)) throw new TypeError('a hit needs a finite createdAt');
  if (hit.linkIndex !== null && !Number.isFinite(hit.linkIndex)) throw new TypeError('a hit needs a finite linkIndex');
  return JSON.stringify([
    hit.id,
    hit.emailId,
    hit.type,
    hit.createdAt,
    hit.ip,
    hit.userAgent,
    hit.referer,
    hit.linkIndex,
    hit.url,
    hit.method ?? 'GET',
    hit.ipList ?? null,
    hit.aggregate === true,
  ]);
}

/** The hit in a payload, or why there is none. */
function parsePayload(text: string): JournalHit | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'payload is not JSON';
  }
  // Fewer fields: written before hits carried their method and IP list (a GET, no list), or before
  // aggregate-only hits existed.
  if (!Array.isArray(v) || (v.length !== 9 && v.length !== 11 && v.length !== 12)) return 'payload is not a hit';
  const [id, emailId, type, createdAt, ip, userAgent, referer, linkIndex, url, method = 'GET', ipList = null, aggregate = false] = v as unknown[];
  if (
    typeof id !== 'string' ||
    typeof emailId !== 'string' ||
    (type !== 'opened' && type !== 'clicked') ||
    typeof createdAt !== 'number' ||
    !stringOrNull(ip) ||
    !stringOrNull(userAgent) ||
    !stringOrNull(referer) ||
    !(linkIndex === null || typeof linkIndex === 'number') ||
    !stringOrNull(url) ||
    (method !== 'GET' && method !== 'HEAD') ||
    !stringOrNull(ipList) ||
    typeof aggregate !== 'boolean'
  ) {
    return 'payload is not a hit';
  }
  return { id, emailId, type, createdAt, ip, userAgent, referer, linkIndex, url, method, ipList, ...(aggregate && { aggregate }) };
}

function stringOrNull(v: unknown): v is string | null {
  return v === null || typeof v === 'string';
}
