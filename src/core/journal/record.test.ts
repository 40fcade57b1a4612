import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DecodeResult,
  type JournalHit,
  MAX_PAYLOAD_BYTES,
  RECORD_HEADER_BYTES,
  RECORD_MAGIC,
  decodeRecords,
  encodeRecords,
  scanRecords,
} from './record.js';

// Binary strings: any UTF-16, lone surrogates and NUL included.
const text = fc.string({ unit: 'binary', maxLength: 30 });
const hitArb: fc.Arbitrary<JournalHit> = fc.record({
  id: text,
  emailId: text,
  type: fc.constantFrom('opened' as const, 'clicked' as const),
  createdAt: fc.maxSafeInteger(),
  ip: fc.option(text, { nil: null }),
  userAgent: fc.option(text, { nil: null }),
  referer: fc.option(text, { nil: null }),
  linkIndex: fc.option(fc.nat(), { nil: null }),
  url: fc.option(text, { nil: null }),
  method: fc.constantFrom('GET' as const, 'HEAD' as const),
  ipList: fc.option(text, { nil: null }),
  aggregate: fc.constantFrom(true, undefined),
}, { requiredKeys: ['id', 'emailId', 'type', 'createdAt', 'ip', 'userAgent', 'referer', 'linkIndex', 'url', 'method', 'ipList'] });
const hitsArb = fc.array(hitArb, { minLength: 1, maxLength: 8 });

/** Where each record starts, and the end of the last. */
function offsetsOf(hits: readonly JournalHit[]): number[] {
  const offsets = [0];
  for (const h of hits) offsets.push(offsets.at(-1)! + encodeRecords([h]).length);
  return offsets;
}

/** Records, corrupt spans and the tail cover the buffer from `start`, in order, with no gap. */
function expectPartition(r: DecodeResult, start: number, length: number) {
  const spans = [...r.records.map((x) => [x.offset, x.end]), ...r.corrupt.map((x) => [x.offset, x.end])].sort((a, b) => a[0]! - b[0]!);
  let at = start;
  for (const [from, to] of spans) {
    expect(from).toBe(at);
    expect(to!).toBeGreaterThan(from!);
    at = to!;
  }
  expect(at).toBe(r.tornTailAt ?? length);
}

/** An independent check that a decoded record is framed and checksummed as specified. */
function expectSound(buf: Buffer, offset: number, end: number) {
  expect(buf.subarray(offset, offset + 2).equals(RECORD_MAGIC)).toBe(true);
  const length = buf.readUInt32LE(offset + 2);
  expect(end - offset).toBe(RECORD_HEADER_BYTES + length);
  const expected = crc32(Buffer.concat([buf.subarray(offset + 2, offset + 6), buf.subarray(offset + RECORD_HEADER_BYTES, end)]));
  expect(buf.readUInt32LE(offset + 6)).toBe(expected);
}

const sample: JournalHit = {
  id: '0190a5c4-0000-7000-8000-000000000001',
  emailId: '0190a5c4-0000-7000-8000-0000000000aa',
  type: 'clicked',
  createdAt: 1_720_000_000_000,
  ip: '203.0.113.7',
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  referer: null,
  linkIndex: 2,
  url: 'https://example.com/pricing?utm_source=newsletter',
  method: 'GET',
  ipList: null,
};
const many = (n: number) => Array.from({ length: n }, (_, i) => ({ ...sample, id: `hit-${i}`, linkIndex: i }));

describe('record codec', () => {
  it('reads records written before hits carried their method and IP list as GETs on no list', () => {
    const { method: _m, ipList: _l, ...old } = sample;
    const payload = Buffer.from(JSON.stringify(Object.values(old)));
    const header = Buffer.alloc(RECORD_HEADER_BYTES);
    RECORD_MAGIC.copy(header, 0);
    header.writeUInt32LE(payload.length, 2);
    header.writeUInt32LE(crc32(payload, crc32(header.subarray(2, 6))), 6);
    expect(decodeRecords(Buffer.concat([header, payload])).hits).toEqual([sample]);
  });

  it('round-trips arbitrary hits', () => {
    fc.assert(
      fc.property(fc.array(hitArb, { maxLength: 10 }), (hits) => {
        const buf = encodeRecords(hits);
        const r = decodeRecords(buf);
        expect(r.hits).toEqual(hits);
        expect(r.corrupt).toEqual([]);
        expect(r.tornTailAt).toBeNull();
        expect(r.end).toBe(buf.length);
        expect(r.records.map((x) => x.offset)).toEqual(offsetsOf(hits).slice(0, -1));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the text exactly: NUL, lone surrogates, astral characters', () => {
    const odd = { ...sample, id: '\u0000', userAgent: '\uD800x\uDFFF', referer: '😀 e\u0301', url: '' };
    expect(decodeRecords(encodeRecords([odd])).hits).toEqual([odd]);
  });

  it('reads a truncated buffer as a prefix of the hits and a torn tail, never garbage', () => {
    fc.assert(
      fc.property(hitsArb, fc.nat(), (hits, seed) => {
        const buf = encodeRecords(hits);
        const cut = seed % (buf.length + 1);
        const offsets = offsetsOf(hits);
        const whole = offsets.filter((o) => o <= cut).length - 1;
        const r = decodeRecords(buf.subarray(0, cut));
        expect(r.hits).toEqual(hits.slice(0, whole));
        expect(r.corrupt).toEqual([]);
        expect(r.tornTailAt).toBe(cut === offsets[whole] ? null : offsets[whole]);
        expectPartition(r, 0, cut);
      }),
      { numRuns: 1000 },
    );
  });

  it('loses only the record with a flipped bit, and reports it', () => {
    fc.assert(
      fc.property(hitsArb, fc.nat(), fc.nat(), (hits, pick, bitSeed) => {
        const buf = encodeRecords(hits);
        const offsets = offsetsOf(hits);
        const i = pick % hits.length;
        const bit = offsets[i]! * 8 + (bitSeed % ((offsets[i + 1]! - offsets[i]!) * 8));
        buf[bit >> 3] = buf[bit >> 3]! ^ (1 << (bit & 7));
        const r = decodeRecords(buf);
        expect(r.hits).toEqual(hits.filter((_, j) => j !== i));
        if (i < hits.length - 1) {
          expect(r.corrupt).toEqual([{ offset: offsets[i], end: offsets[i + 1], reason: expect.any(String) }]);
          expect(r.tornTailAt).toBeNull();
        } else {
          // The last record damaged looks like a torn write: it is the tail.
          expect(r.corrupt).toEqual([]);
          expect(r.tornTailAt).toBe(offsets[i]);
        }
        expectPartition(r, 0, buf.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('never decodes garbage into a hit, and finds every good record amid it', () => {
    // Bytes biased to the magic's, so that false starts are common.
    const garbage = fc
      .array(fc.oneof(fc.constant(RECORD_MAGIC[0]!), fc.constant(RECORD_MAGIC[1]!), fc.integer({ min: 0, max: 255 })), { maxLength: 64 })
      .map((b) => Buffer.from(b));
    fc.assert(
      fc.property(fc.array(fc.tuple(garbage, fc.option(hitArb, { nil: null })), { maxLength: 8 }), garbage, (parts, trailer) => {
        const buf = Buffer.concat([...parts.flatMap(([g, h]) => [g, h ? encodeRecords([h]) : Buffer.alloc(0)]), trailer]);
        const r = decodeRecords(buf);
        expect(r.hits).toEqual(parts.flatMap(([, h]) => (h ? [h] : [])));
        for (const rec of r.records) expectSound(buf, rec.offset, rec.end);
        expectPartition(r, 0, buf.length);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const buf = Buffer.from(bytes);
        const r = decodeRecords(buf);
        for (const rec of r.records) expectSound(buf, rec.offset, rec.end);
        expect(r.hits).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('resyncs after a length field that runs past the end of the data', () => {
    const hits = many(5);
    const buf = encodeRecords(hits);
    const offsets = offsetsOf(hits);
    buf.writeUInt32LE(MAX_PAYLOAD_BYTES, offsets[1]! + 2);
    const r = decodeRecords(buf);
    expect(r.hits).toEqual([hits[0], ...hits.slice(2)]);
    expect(r.corrupt).toEqual([{ offset: offsets[1], end: offsets[2], reason: 'record cut short in its payload' }]);
    buf.writeUInt32LE(MAX_PAYLOAD_BYTES + 1, offsets[1]! + 2);
    expect(decodeRecords(buf).corrupt[0]!.reason).toMatch(/over the limit/);
  });

  it('skips a well-framed record whose payload is not a hit', () => {
    const payload = Buffer.from('{"not":"a hit"}');
    const header = Buffer.alloc(RECORD_HEADER_BYTES);
    RECORD_MAGIC.copy(header);
    header.writeUInt32LE(payload.length, 2);
    header.writeUInt32LE(crc32(payload, crc32(header.subarray(2, 6))), 6);
    const good = encodeRecords(many(2));
    const buf = Buffer.concat([good, header, payload, good]);
    const r = decodeRecords(buf);
    expect(r.hits).toEqual([...many(2), ...many(2)]);
    expect(r.corrupt).toEqual([{ offset: good.length, end: good.length + RECORD_HEADER_BYTES + payload.length, reason: 'payload is not a hit' }]);
    // The framing alone counts it as a record.
    expect(scanRecords(buf).records).toHaveLength(5);
  });

  it('starts at an offset and stops after maxRecords', () => {
    const hits = many(6);
    const buf = encodeRecords(hits);
    const offsets = offsetsOf(hits);
    const r = decodeRecords(buf, offsets[2], 3);
    expect(r.hits).toEqual(hits.slice(2, 5));
    expect(r.end).toBe(offsets[5]);
    expect(r.tornTailAt).toBeNull();
  });

  it('refuses to write a number JSON cannot keep', () => {
    expect(() => encodeRecords([{ ...sample, createdAt: Number.NaN }])).toThrow(TypeError);
    expect(() => encodeRecords([{ ...sample, linkIndex: Infinity }])).toThrow(TypeError);
  });
});
