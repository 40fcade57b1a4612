import { isIPv4Mapped, parseIPv4, parseIPv6 } from './ip-address.js';
import { addressBits, compareRanges, hostMask, sortRanges, type IpRange } from './ip-ranges.js';

/**
 * Labels addresses by the most specific range containing them. The ranges are flattened into sorted,
 * disjoint intervals, each with the label of the innermost range covering it, so that a match is one
 * binary search, over 32-bit numbers for IPv4 and over four 32-bit words for IPv6, and allocates
 * nothing. An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is looked up as IPv4.
 */
export class IpListMatcher {
  /** Ranges listed twice with different labels: the first listed wins, these lose. */
  readonly conflicts: readonly IpRange[];
  /** Distinct ranges. */
  readonly size: number;
  private readonly labels: string[];
  private readonly v4Starts: Uint32Array;
  private readonly v4Ends: Uint32Array;
  private readonly v4Labels: Uint32Array;
  private readonly v6: Intervals;
  private readonly address = new Uint32Array(4);

  /** `ranges` in order of precedence: of two identical ranges, the first one's label is kept. */
  constructor(ranges: readonly IpRange[]) {
    const conflicts: IpRange[] = [];
    const sorted = distinct(sortRanges(ranges), conflicts);
    const labelIndex = new Map<string, number>();
    for (const r of sorted) if (!labelIndex.has(r.label)) labelIndex.set(r.label, labelIndex.size);
    const v4Count = sorted.findIndex((r) => r.family === 6);
    const v4 = flatten(v4Count < 0 ? sorted : sorted.slice(0, v4Count), labelIndex);
    this.v6 = flatten(v4Count < 0 ? [] : sorted.slice(v4Count), labelIndex);
    this.v4Starts = lastWords(v4.starts);
    this.v4Ends = lastWords(v4.ends);
    this.v4Labels = v4.labels;
    this.labels = [...labelIndex.keys()];
    this.conflicts = conflicts;
    this.size = sorted.length;
  }

  /** The label of the most specific range containing `ip`; null when none does or `ip` is not an address. */
  match(ip: string): string | null {
    const v4 = parseIPv4(ip, 0, ip.length);
    if (v4 >= 0) return this.matchV4(v4);
    const zone = ip.indexOf('%');
    const a = this.address;
    if (!parseIPv6(ip, 0, zone < 0 ? ip.length : zone, a)) return null;
    if (isIPv4Mapped(a)) return this.matchV4(a[3]!);
    return this.matchV6(a);
  }

  private matchV4(x: number): string | null {
    const starts = this.v4Starts;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= x) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0 || this.v4Ends[found]! < x) return null;
    return this.labels[this.v4Labels[found]!]!;
  }

  private matchV6(a: Uint32Array): string | null {
    const { starts, ends, labels } = this.v6;
    let lo = 0;
    let hi = labels.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareAt(starts, mid * 4, a, 0) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0 || compareAt(ends, found * 4, a, 0) < 0) return null;
    return this.labels[labels[found]!]!;
  }
}

/** IPv4 addresses need only their last word. */
function lastWords(words: Uint32Array): Uint32Array {
  const last = new Uint32Array(words.length / 4);
  for (let i = 0; i < last.length; i++) last[i] = words[i * 4 + 3]!;
  return last;
}

/** Of sorted ranges, each once: of identical ranges the first is kept; those of another label are conflicts. */
function distinct(sorted: IpRange[], conflicts: IpRange[]): IpRange[] {
  const kept: IpRange[] = [];
  for (const r of sorted) {
    const last = kept[kept.length - 1];
    if (last !== undefined && compareRanges(last, r) === 0) {
      if (last.label !== r.label) conflicts.push(r);
      continue;
    }
    kept.push(r);
  }
  return kept;
}

/** Sorted disjoint intervals: interval i is words [4i, 4i+4) of starts and ends, labelled labels[i]. */
interface Intervals {
  starts: Uint32Array;
  ends: Uint32Array;
  labels: Uint32Array;
}

/**
 * The intervals of sorted, distinct ranges of one family, each labelled by the innermost range covering
 * it. CIDR ranges either nest or do not meet, so one sweep with a stack of the ranges still open does it;
 * neighbours of one label merge.
 */
function flatten(sorted: readonly IpRange[], labelIndex: ReadonlyMap<string, number>): Intervals {
  const builder = new IntervalBuilder(sorted.length);
  for (const r of sorted) builder.add(r, labelIndex.get(r.label)!);
  return builder.finish();
}

class IntervalBuilder {
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;
  private readonly labels: Uint32Array;
  private count = 0;
  // The ranges still open, innermost last: at most one per prefix length.
  private readonly openEnds = new Uint32Array(129 * 4);
  private readonly openLabels = new Uint32Array(129);
  private depth = 0;
  /** The first address not in an interval yet; `exhausted` once that is past the last address of all. */
  private readonly cursor = new Uint32Array(4);
  private exhausted = false;
  private readonly first = new Uint32Array(4);
  private readonly beforeFirst = new Uint32Array(4);
  private readonly afterEnd = new Uint32Array(4);

  constructor(ranges: number) {
    // Each range opens at most one interval (its outer range's part before it) and closes at most one.
    const capacity = 2 * ranges;
    this.starts = new Uint32Array(capacity * 4);
    this.ends = new Uint32Array(capacity * 4);
    this.labels = new Uint32Array(capacity);
  }

  add(range: IpRange, label: number): void {
    const f = this.first;
    for (let k = 0; k < 4; k++) f[k] = range.first[k]!;
    while (this.depth > 0 && compareAt(this.openEnds, (this.depth - 1) * 4, f, 0) < 0) this.close();
    if (this.depth > 0 && !this.exhausted && compareAt(this.cursor, 0, f, 0) < 0) {
      this.beforeFirst.set(f);
      decrement(this.beforeFirst);
      this.emit(this.cursor, 0, this.beforeFirst, 0, this.openLabels[this.depth - 1]!);
    }
    this.cursor.set(f);
    this.exhausted = false;
    const hostBits = addressBits(range.family) - range.prefix;
    const at = this.depth * 4;
    for (let k = 0; k < 4; k++) this.openEnds[at + k] = (f[k]! | hostMask(hostBits, k)) >>> 0;
    this.openLabels[this.depth++] = label;
  }

  finish(): Intervals {
    while (this.depth > 0) this.close();
    return { starts: this.starts.slice(0, this.count * 4), ends: this.ends.slice(0, this.count * 4), labels: this.labels.slice(0, this.count) };
  }

  private close(): void {
    this.depth--;
    const at = this.depth * 4;
    if (!this.exhausted && compareAt(this.cursor, 0, this.openEnds, at) <= 0) this.emit(this.cursor, 0, this.openEnds, at, this.openLabels[this.depth]!);
    for (let k = 0; k < 4; k++) this.cursor[k] = this.openEnds[at + k]!;
    // Past the last IPv4 address the cursor is 0:0:1:0, above every IPv4 address: as good as exhausted.
    this.exhausted = !increment(this.cursor);
  }

  private emit(start: Uint32Array, startAt: number, end: Uint32Array, endAt: number, label: number): void {
    const last = this.count - 1;
    if (last >= 0 && this.labels[last] === label) {
      for (let k = 0; k < 4; k++) this.afterEnd[k] = this.ends[last * 4 + k]!;
      if (increment(this.afterEnd) && compareAt(this.afterEnd, 0, start, startAt) === 0) {
        for (let k = 0; k < 4; k++) this.ends[last * 4 + k] = end[endAt + k]!;
        return;
      }
    }
    const at = this.count * 4;
    for (let k = 0; k < 4; k++) {
      this.starts[at + k] = start[startAt + k]!;
      this.ends[at + k] = end[endAt + k]!;
    }
    this.labels[this.count++] = label;
  }
}

/** a[ai, ai+4) against b[bi, bi+4): negative, zero or positive. */
function compareAt(a: Uint32Array, ai: number, b: Uint32Array, bi: number): number {
  for (let k = 0; k < 4; k++) {
    const d = a[ai + k]! - b[bi + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Adds one; false when the address was the last (all ones). */
function increment(w: Uint32Array): boolean {
  for (let k = 3; k >= 0; k--) {
    if (w[k] !== 0xffffffff) {
      w[k]!++;
      return true;
    }
    w[k] = 0;
  }
  return false;
}

/** Takes one away from an address that is not 0. */
function decrement(w: Uint32Array): void {
  for (let k = 3; k >= 0; k--) {
    if (w[k] !== 0) {
      w[k]!--;
      return;
    }
    w[k] = 0xffffffff;
  }
}
