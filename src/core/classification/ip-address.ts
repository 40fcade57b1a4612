/**
 * IP addresses parsed from text without allocating: the machine IP list matcher runs on every tracking
 * hit. An address is four 32-bit words, most significant first.
 */

/** A dotted-quad IPv4 address in s[from, to) as an unsigned 32-bit number; -1 when it is not one (leading zeros included). */
export function parseIPv4(s: string, from: number, to: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      if (octet > 255) return -1;
      digits++;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

const GROUPS = new Uint16Array(8);

/**
 * An IPv6 address in s[from, to) (the RFC 4291 text forms, an IPv4 tail included) into four 32-bit
 * words; false when it is not one. ::a.b.c.d is the IPv4-compatible address RFC 4291 says it is, not ::ffff:a.b.c.d.
 */
export function parseIPv6(s: string, from: number, to: number, out: Uint32Array): boolean {
  let n = 0;
  let gap = -1;
  let i = from;
  if (to - from < 2) return false;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
  }
  while (i < to) {
    let value = 0;
    let digits = 0;
    let j = i;
    while (j < to && digits <= 4) {
      const h = hexValue(s.charCodeAt(j));
      if (h < 0) break;
      value = value * 16 + h;
      digits++;
      j++;
    }
    if (j < to && s.charCodeAt(j) === 46) {
      const v4 = n <= 6 ? parseIPv4(s, i, to) : -1;
      if (v4 < 0) return false;
      GROUPS[n++] = Math.floor(v4 / 65536);
      GROUPS[n++] = v4 & 0xffff;
      break;
    }
    if (digits === 0 || digits > 4 || n === 8) return false;
    GROUPS[n++] = value;
    i = j;
    if (i === to) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i === to) return false;
    if (s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  const zeros = gap < 0 ? 0 : 8 - n;
  const at = gap < 0 ? n : gap;
  for (let k = 0; k < 4; k++) out[k] = groupAt(2 * k, at, zeros) * 65536 + groupAt(2 * k + 1, at, zeros);
  return true;
}

/** Group k of the address whose `zeros` elided groups start at `gap`. */
function groupAt(k: number, gap: number, zeros: number): number {
  if (k < gap) return GROUPS[k]!;
  if (k < gap + zeros) return 0;
  return GROUPS[k - zeros]!;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d), which stands for an IPv4 address. */
export function isIPv4Mapped(words: ArrayLike<number>): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
}
