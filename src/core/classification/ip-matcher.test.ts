import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { IpListMatcher, parseIpList } from './ip-lists.js';
import { formatIpRange, type IpRange, type IpWords } from './ip-ranges.js';

const toWords = (n: bigint): IpWords => [Number((n >> 96n) & 0xffffffffn), Number((n >> 64n) & 0xffffffffn), Number((n >> 32n) & 0xffffffffn), Number(n & 0xffffffffn)];
const toBigint = (w: IpWords): bigint => w.reduce((n, x) => (n << 32n) | BigInt(x), 0n);

const matcherOf = (text: string) => new IpListMatcher(parseIpList(text).ranges);

describe('IpListMatcher', () => {
  it('gives the label of the most specific range', () => {
    const m = matcherOf(['10.0.0.0/8 outer', '10.1.0.0/16 inner', '10.1.2.0/24 innermost', '10.1.2.0/24 innermost', '2001:db8::/32 v6outer', '2001:db8:1::/48 v6inner', '0.0.0.0/32 zero', '255.255.255.255 top'].join('\n'));
    expect(m.size).toBe(7);
    expect(m.match('10.0.0.1')).toBe('outer');
    expect(m.match('10.1.0.0')).toBe('inner');
    expect(m.match('10.1.2.255')).toBe('innermost');
    expect(m.match('10.1.3.0')).toBe('inner');
    expect(m.match('10.255.255.255')).toBe('outer');
    expect(m.match('11.0.0.0')).toBeNull();
    expect(m.match('9.255.255.255')).toBeNull();
    expect(m.match('0.0.0.0')).toBe('zero');
    expect(m.match('0.0.0.1')).toBeNull();
    expect(m.match('255.255.255.255')).toBe('top');
    expect(m.match('2001:db8:0:ffff::1')).toBe('v6outer');
    expect(m.match('2001:DB8:1::1')).toBe('v6inner');
    expect(m.match('2001:db8:1::1%eth0')).toBe('v6inner');
    expect(m.match('2001:db9::')).toBeNull();
  });

  it('matches IPv4-mapped IPv6 addresses against IPv4 ranges', () => {
    const m = matcherOf('172.224.224.0/27 apple_mpp\n');
    expect(m.match('::ffff:172.224.224.31')).toBe('apple_mpp');
    expect(m.match('::FFFF:172.224.224.1')).toBe('apple_mpp');
    expect(m.match('0:0:0:0:0:ffff:ace0:e001')).toBe('apple_mpp');
    expect(m.match('::ffff:172.224.224.32')).toBeNull();
    expect(m.match('::172.224.224.1')).toBeNull();
  });

  it('answers null for what is not an address', () => {
    const m = matcherOf('0.0.0.0/0 all\n::/0 all6\n');
    for (const bad of ['', 'unknown', '1.2.3', '1.2.3.4:80', '[::1]', ' 1.2.3.4', '::g']) expect(m.match(bad), bad).toBeNull();
    expect(m.match('1.2.3.4')).toBe('all');
    expect(m.match('::1')).toBe('all6');
  });

  it('keeps the first of two identical ranges with different labels, and says so', () => {
    const first = parseIpList('10.0.0.0/8 a\n').ranges;
    const second = parseIpList('192.0.2.0/24 c\n10.0.0.0/8 b\n').ranges;
    const m = new IpListMatcher([...first, ...second]);
    expect(m.match('10.0.0.1')).toBe('a');
    expect(m.conflicts.map((r) => [formatIpRange(r), r.label])).toEqual([['10.0.0.0/8', 'b']]);
    expect(m.size).toBe(2);
  });

  it('is empty without ranges', () => {
    const m = new IpListMatcher([]);
    expect(m.match('10.0.0.1')).toBeNull();
    expect(m.match('::1')).toBeNull();
    expect(m.size).toBe(0);
  });

  describe('agrees with a naive scan of every range', () => {
    const labels = ['a', 'b', 'c', 'd'];
    /** The label of the longest prefix containing the address; of identical ranges, the first listed. */
    function naive(ranges: IpRange[], family: 4 | 6, address: bigint): string | null {
      const bits = family === 4 ? 32 : 128;
      let best: IpRange | null = null;
      for (const r of ranges) {
        if (r.family !== family) continue;
        const size = 1n << BigInt(bits - r.prefix);
        if (address >= toBigint(r.first) && address < toBigint(r.first) + size && (best === null || r.prefix > best.prefix)) best = r;
      }
      return best?.label ?? null;
    }
    const v4Text = (n: bigint) => ipaddr.fromByteArray([24, 16, 8, 0].map((s) => Number((n >> BigInt(s)) & 255n))).toString();
    const v6Text = (n: bigint) => formatIpRange({ family: 6, first: toWords(n), prefix: 128 }).replace(/\/128$/, '');

    /** Ranges around a few seed addresses, so that they nest, touch and repeat. */
    function rangesNear(bits: number) {
      const full = (1n << BigInt(bits)) - 1n;
      return fc.tuple(fc.array(fc.bigInt({ min: 0n, max: full }), { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: bits }), fc.constantFrom(...labels)), { maxLength: 40 })).map(([seeds, specs]) => {
        const ranges: IpRange[] = specs.map(([seed, prefix, label], line) => {
          const mask = full ^ ((1n << BigInt(bits - prefix)) - 1n);
          return { family: bits === 32 ? 4 : 6, first: toWords(seeds[seed % seeds.length]! & mask), prefix, label, line };
        });
        return { seeds, ranges };
      });
    }
    function probes(seeds: bigint[], ranges: IpRange[], bits: number): bigint[] {
      const full = (1n << BigInt(bits)) - 1n;
      const at = [0n, full, ...seeds];
      for (const r of ranges) {
        const first = toBigint(r.first);
        const last = first + (1n << BigInt(bits - r.prefix)) - 1n;
        at.push(first, last, first - 1n, last + 1n);
      }
      return at.filter((a) => a >= 0n && a <= full);
    }

    it('for IPv4', () => {
      fc.assert(
        fc.property(rangesNear(32), fc.array(fc.bigInt({ min: 0n, max: 0xffffffffn }), { maxLength: 20 }), ({ seeds, ranges }, extra) => {
          const m = new IpListMatcher([...ranges]);
          for (const a of [...probes(seeds, ranges, 32), ...extra]) {
            expect(m.match(v4Text(a)), v4Text(a)).toBe(naive(ranges, 4, a));
            expect(m.match(`::ffff:${v4Text(a)}`)).toBe(naive(ranges, 4, a));
          }
        }),
        { numRuns: 300 },
      );
    });

    it('for IPv6', () => {
      fc.assert(
        fc.property(rangesNear(128), fc.array(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), { maxLength: 20 }), ({ seeds, ranges }, extra) => {
          // Ranges inside ::ffff:0:0/96 are IPv4 to the matcher; the parser never makes such IPv6 ranges.
          const v6 = ranges.filter((r) => !(r.prefix >= 96 && toBigint(r.first) >> 32n === 0xffffn));
          const m = new IpListMatcher([...v6]);
          for (const a of [...probes(seeds, v6, 128), ...extra]) {
            if (a >> 32n === 0xffffn) continue;
            expect(m.match(v6Text(a)), v6Text(a)).toBe(naive(v6, 6, a));
          }
        }),
        { numRuns: 300 },
      );
    });
  });

  it('builds from 300,000 ranges, and matches a million addresses of every form quickly', () => {
    let seed = 1;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const v4: IpWords[] = Array.from({ length: 150_000 }, () => [0, 0, 0, (random() & 0xffffffe0) >>> 0]);
    const v6: IpWords[] = Array.from({ length: 150_000 }, () => [random(), random(), 0, 0]);
    const lines = [
      ...v4.map((first) => `${formatIpRange({ family: 4, first, prefix: 27 })},GB,GB-EN,London,`),
      ...v6.map((first) => `${formatIpRange({ family: 6, first, prefix: 64 })},US,US-CA,Los Angeles,`),
    ];
    const started = performance.now();
    const m = new IpListMatcher(parseIpList(lines.join('\n'), { label: 'apple_mpp' }).ranges);
    const built = performance.now() - started;
    const text = (w: IpWords, family: 4 | 6) => formatIpRange({ family, first: w, prefix: 0 }).replace(/\/0$/, '');
    // A quarter each: IPv4 anywhere, IPv4 in a range, IPv4-mapped in a range, IPv6 in a range.
    const addresses = Array.from({ length: 1000 }, (_, i) => {
      const inV4: IpWords = [0, 0, 0, (v4[i]![3] + (i & 31)) >>> 0];
      if (i % 4 === 0) return text([0, 0, 0, random()], 4);
      if (i % 4 === 1) return text(inV4, 4);
      if (i % 4 === 2) return `::ffff:${text(inV4, 4)}`;
      return text([v6[i]![0], v6[i]![1], random(), random()], 6);
    });
    const t0 = performance.now();
    let hits = 0;
    for (let round = 0; round < 1000; round++) for (const a of addresses) if (m.match(a) !== null) hits++;
    const matched = performance.now() - t0;
    expect(m.size).toBeGreaterThan(299_000);
    expect(hits).toBeGreaterThanOrEqual(750_000);
    // Loose bounds, for a slow CI machine: here, under 2 s to build (about 1 s compiled) and 0.1 to 0.2 s to match.
    expect(built).toBeLessThan(10_000);
    expect(matched).toBeLessThan(3_000);
  });
});
