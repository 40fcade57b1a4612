/**
 * Operator-supplied lists of machine IP ranges (Apple's iCloud Private Relay egress ranges, a security
 * gateway's ranges), each range with a label: reading and writing them. IpListMatcher gives a tracking
 * hit's client address the label of the most specific range containing it (docs/machine-ip-lists.md).
 */
import { isIPv4Mapped, parseIPv4, parseIPv6 } from './ip-address.js';
import { addressBits, compareRanges, formatIpRange, hostMask, sortRanges, type IpRange, type IpWords } from './ip-ranges.js';

export { IpListMatcher } from './ip-matcher.js';
export { formatIpRange, type IpRange, type IpWords } from './ip-ranges.js';

export const IP_LIST_FORMATS = ['waymark', 'apple-csv'] as const;
/** `waymark`: `CIDR [label]` per line; `apple-csv`: Apple's egress list, an RFC 8805 geofeed (`prefix,country,region,city,`). */
export type IpListFormat = (typeof IP_LIST_FORMATS)[number];

export interface ParsedIpList {
  format: IpListFormat;
  ranges: IpRange[];
}

export interface IpListParseOptions {
  format?: IpListFormat | 'auto';
  /** The label of lines that have none and follow no `# label:` line (WAYMARK_MACHINE_IP_LISTS' `path=label`). */
  label?: string | null;
}

/** A line of a list that cannot be read; the message names the line. */
export class IpListSyntaxError extends Error {
  constructor(readonly line: number, detail: string) {
    super(`line ${line}: ${detail}`);
  }
}

/** Labels are names, not prose: their meaning is given by the classification rules. */
const LABEL = /^[a-z0-9_:.-]{1,64}$/;
const LABEL_RULE = 'a label is 1 to 64 of a-z 0-9 _ : . -';

export function isIpListLabel(s: string): boolean {
  return LABEL.test(s);
}

/** `path` or `path=label` (the last `=` splits): a list file and the label of its lines that have none. */
export interface IpListFileSpec {
  path: string;
  label: string | null;
}

export function parseIpListFileSpec(spec: string): IpListFileSpec {
  const text = spec.trim();
  const eq = text.lastIndexOf('=');
  const filePath = (eq < 0 ? text : text.slice(0, eq)).trim();
  const label = eq < 0 ? null : text.slice(eq + 1).trim();
  if (filePath === '') throw new Error(`"${spec}" names no file`);
  if (label !== null && !isIpListLabel(label)) throw new Error(`"${spec}": the label "${label}" is not valid (${LABEL_RULE})`);
  return { path: filePath, label };
}

const LABEL_DIRECTIVE = /^#\s*label\s*:(.*)$/i;

/**
 * Reads a list. A range's label is the one on its line, else that of the last `# label:` line above it,
 * else `options.label`; a line that cannot be read is refused, never skipped. The ranges come back
 * sorted (IPv4 first), each once.
 */
export function parseIpList(text: string, options: IpListParseOptions = {}): ParsedIpList {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const format = options.format === undefined || options.format === 'auto' ? detectFormat(lines) : options.format;
  let sectionLabel: string | null = null;
  const ranges: IpRange[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (line.charCodeAt(0) === 35 /* # */) {
      const directive = LABEL_DIRECTIVE.exec(line);
      if (directive !== null) {
        const label = directive[1]!.trim();
        if (!isIpListLabel(label)) throw new IpListSyntaxError(lineNo, `"${label}" is not a valid label (${LABEL_RULE})`);
        sectionLabel = label;
      }
      continue;
    }
    const [cidr, ownLabel] = format === 'waymark' ? splitWaymarkLine(line, lineNo) : [firstField(line), null];
    const label = ownLabel ?? sectionLabel ?? options.label ?? null;
    if (label === null) {
      const how = format === 'apple-csv' ? 'give the file a label (path=label, or --label)' : 'add one to the line, a "# label: <label>" line above it, or give the file a label (path=label)';
      throw new IpListSyntaxError(lineNo, `${cidr} has no label: ${how}`);
    }
    ranges.push(parseCidr(cidr, lineNo, label));
  }
  return { format, ranges: withoutRepeats(ranges) };
}

/** Apple's geofeed has five comma-separated fields; our own format has at most two. */
function detectFormat(lines: string[]): IpListFormat {
  const first = lines.map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
  return first !== undefined && first.split(',').length >= 4 ? 'apple-csv' : 'waymark';
}

function splitWaymarkLine(line: string, lineNo: number): [string, string | null] {
  const hash = line.indexOf('#');
  const fields = (hash < 0 ? line : line.slice(0, hash)).split(/[\s,]+/).filter(Boolean);
  if (fields.length === 0 || fields.length > 2) throw new IpListSyntaxError(lineNo, `expected "<CIDR> [label]", got "${line}"`);
  const label = fields[1] ?? null;
  if (label !== null && !isIpListLabel(label)) throw new IpListSyntaxError(lineNo, `"${label}" is not a valid label (${LABEL_RULE})`);
  return [fields[0]!, label];
}

/** The geofeed's prefix: what comes before the first comma. */
function firstField(line: string): string {
  const comma = line.indexOf(',');
  return (comma < 0 ? line : line.slice(0, comma)).trim();
}

/** Sorted, a range listed twice with one label kept once; listed with two labels, refused. */
function withoutRepeats(ranges: IpRange[]): IpRange[] {
  const kept: IpRange[] = [];
  for (const r of sortRanges(ranges)) {
    const last = kept[kept.length - 1];
    if (last === undefined || compareRanges(last, r) !== 0) kept.push(r);
    else if (last.label !== r.label) {
      throw new IpListSyntaxError(r.line, `${formatIpRange(r)} is listed on line ${last.line} already, as ${last.label}`);
    }
  }
  return kept;
}

const WORDS = new Uint32Array(4);

/** `address/prefix` or a bare address (a single host); an IPv4-mapped IPv6 range becomes an IPv4 range. */
function parseCidr(cidr: string, lineNo: number, label: string): IpRange {
  const slash = cidr.indexOf('/');
  const end = slash < 0 ? cidr.length : slash;
  const givenPrefix = slash < 0 ? null : parsePrefixLength(cidr, slash + 1);
  let family: 4 | 6 = 4;
  let first: IpWords;
  const v4 = parseIPv4(cidr, 0, end);
  if (v4 >= 0 && givenPrefix !== -1) {
    first = [0, 0, 0, v4];
  } else if (givenPrefix !== -1 && parseIPv6(cidr, 0, end, WORDS)) {
    family = 6;
    first = [WORDS[0]!, WORDS[1]!, WORDS[2]!, WORDS[3]!];
  } else {
    throw new IpListSyntaxError(lineNo, `"${cidr}" is not an IP range (e.g. 192.0.2.0/24 or 2001:db8::/32)`);
  }
  let prefix = givenPrefix ?? addressBits(family);
  if (family === 6 && isIPv4Mapped(first) && prefix >= 96) {
    family = 4;
    first = [0, 0, 0, first[3]];
    prefix -= 96;
  }
  if (prefix > addressBits(family)) throw new IpListSyntaxError(lineNo, `"${cidr}": the prefix length is over ${addressBits(family)}`);
  const range: IpRange = { family, first, prefix, label, line: lineNo };
  if (hasHostBits(range)) {
    const network = formatIpRange({ ...range, first: withoutHostBits(range) });
    throw new IpListSyntaxError(lineNo, `"${cidr}" has bits set past its prefix length (the range would be ${network})`);
  }
  return range;
}

/** The digits after the slash, 0 to 999; -1 when there are none or anything else. */
function parsePrefixLength(s: string, from: number): number {
  if (from === s.length || s.length - from > 3) return -1;
  let n = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

function hasHostBits(range: IpRange): boolean {
  const hostBits = addressBits(range.family) - range.prefix;
  for (let k = 0; k < 4; k++) if ((range.first[k]! & hostMask(hostBits, k)) !== 0) return true;
  return false;
}

function withoutHostBits(range: IpRange): IpWords {
  const hostBits = addressBits(range.family) - range.prefix;
  const clear = (k: 0 | 1 | 2 | 3) => (range.first[k] & ~hostMask(hostBits, k)) >>> 0;
  return [clear(0), clear(1), clear(2), clear(3)];
}

/** A list in our own format: the comment lines, then one `CIDR label` per line. */
export function formatIpList(ranges: readonly IpRange[], comments: readonly string[]): string {
  const head = comments.map((c) => `# ${c.replace(/[\r\n]/g, ' ')}\n`).join('');
  return head + ranges.map((r) => `${formatIpRange(r)} ${r.label}\n`).join('');
}

/** How many ranges each label has, the labels in alphabetical order. */
export function countRangesByLabel(ranges: readonly IpRange[]): Array<[label: string, ranges: number]> {
  const counts = new Map<string, number>();
  for (const r of ranges) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
