import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { parseIPv6 } from './ip-address.js';
import { compareRanges, formatIpRange, sortRanges, type IpRange, type IpWords } from './ip-ranges.js';

describe('sortRanges', () => {
  const word = fc.oneof(fc.constantFrom(0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff), fc.nat({ max: 0xffffffff }));
  const range: fc.Arbitrary<IpRange> = fc.record({
    family: fc.constantFrom(4 as const, 6 as const),
    first: fc.tuple(word, word, word, word),
    prefix: fc.integer({ min: 0, max: 128 }),
    label: fc.constantFrom('a', 'b'),
    line: fc.nat(),
  });

  it('orders as a stable comparison sort does', () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 60 }), (ranges) => {
        // Few distinct values, so that equal keys and skipped digits both occur.
        const few = (w: number) => (w & 0x10001) >>> 0;
        const small = ranges.map((r, i): IpRange => ({ ...r, line: i, first: [few(r.first[0]), few(r.first[1]), few(r.first[2]), few(r.first[3])] }));
        expect(sortRanges(small)).toEqual([...small].sort(compareRanges));
        expect(sortRanges(ranges)).toEqual([...ranges].sort(compareRanges));
      }),
    );
  });
});

describe('formatIpRange', () => {
  it('writes IPv4 ranges as dotted quads', () => {
    expect(formatIpRange({ family: 4, first: [0, 0, 0, 0xc0000200], prefix: 24 })).toBe('192.0.2.0/24');
    expect(formatIpRange({ family: 4, first: [0, 0, 0, 0xffffffff], prefix: 32 })).toBe('255.255.255.255/32');
  });

  it('formats IPv6 ranges as RFC 5952 does', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const words = new Uint32Array(4);
        parseIPv6(ip, 0, ip.length, words);
        const first: IpWords = [words[0]!, words[1]!, words[2]!, words[3]!];
        const parsed = ipaddr.IPv6.parse(ip);
        // ipaddr.js writes IPv4-mapped addresses with a dotted tail; ours turns those into IPv4 ranges before formatting.
        if (parsed.isIPv4MappedAddress()) return;
        expect(formatIpRange({ family: 6, first, prefix: 128 })).toBe(`${parsed.toRFC5952String()}/128`);
      }),
    );
  });
});
