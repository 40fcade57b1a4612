/** CIDR ranges of machine IP lists: their shape, order and text. */

/** An address as four 32-bit words, most significant first; an IPv4 address is the last word (the others 0). */
export type IpWords = readonly [number, number, number, number];

export interface IpRange {
  family: 4 | 6;
  first: IpWords;
  prefix: number;
  label: string;
  /** The line of its list it was read from (1-based), for messages. */
  line: number;
}

export function addressBits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

/** The bits of word k (0 most significant) that are host bits when the last `hostBits` bits are. */
export function hostMask(hostBits: number, k: number): number {
  const n = hostBits - 32 * (3 - k);
  return n <= 0 ? 0 : n >= 32 ? 0xffffffff : 2 ** n - 1;
}

/** By family, then first address, then prefix length (wider first). */
export function compareRanges(a: IpRange, b: IpRange): number {
  return a.family - b.family || a.first[0] - b.first[0] || a.first[1] - b.first[1] || a.first[2] - b.first[2] || a.first[3] - b.first[3] || a.prefix - b.prefix;
}

/** The sort key's 16-bit digits, least significant first: the prefix length, the eight halves of the address, the family. */
const DIGITS = 10;

/**
 * The ranges in compareRanges' order, equal ones in their given order. A least-significant-digit radix
 * sort: lists have hundreds of thousands of ranges, which a comparison sort takes most of a second over.
 */
export function sortRanges(ranges: readonly IpRange[]): IpRange[] {
  const n = ranges.length;
  if (isSorted(ranges)) return ranges.slice();
  const keys = new Uint16Array(n * DIGITS);
  ranges.forEach((r, i) => {
    const at = i * DIGITS;
    keys[at] = r.prefix;
    for (let k = 0; k < 4; k++) {
      const word = r.first[3 - k]!;
      keys[at + 1 + 2 * k] = word & 0xffff;
      keys[at + 2 + 2 * k] = word >>> 16;
    }
    keys[at + DIGITS - 1] = r.family;
  });
  let order = new Uint32Array(n);
  let next = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const starts = new Uint32Array(65537);
  for (let d = 0; d < DIGITS; d++) {
    starts.fill(0);
    for (let i = 0; i < n; i++) starts[keys[i * DIGITS + d]! + 1]!++;
    if (n === 0 || starts[keys[d]! + 1] === n) continue; // one value: the order stands
    for (let b = 1; b < starts.length; b++) starts[b]! += starts[b - 1]!;
    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      next[starts[keys[r * DIGITS + d]!]!++] = r;
    }
    [order, next] = [next, order];
  }
  return Array.from(order, (i) => ranges[i]!);
}

function isSorted(ranges: readonly IpRange[]): boolean {
  for (let i = 1; i < ranges.length; i++) if (compareRanges(ranges[i - 1]!, ranges[i]!) > 0) return false;
  return true;
}

/** The range as CIDR text: IPv6 in the RFC 5952 form. */
export function formatIpRange(range: Pick<IpRange, 'family' | 'first' | 'prefix'>): string {
  const w = range.first;
  if (range.family === 4) return `${w[3] >>> 24}.${(w[3] >>> 16) & 255}.${(w[3] >>> 8) & 255}.${w[3] & 255}/${range.prefix}`;
  const groups = [w[0] >>> 16, w[0] & 0xffff, w[1] >>> 16, w[1] & 0xffff, w[2] >>> 16, w[2] & 0xffff, w[3] >>> 16, w[3] & 0xffff];
  // The longest run of two or more zero groups (the first of equals) becomes "::".
  let runStart = -1;
  let runLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > runLength && j - i >= 2) [runStart, runLength] = [i, j - i];
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  const text = runStart < 0 ? hex(groups) : `${hex(groups.slice(0, runStart))}::${hex(groups.slice(runStart + runLength))}`;
  return `${text}/${range.prefix}`;
}
