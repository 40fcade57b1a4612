/**
 * What is stored of each tracking hit's IP (WAYMARK_IP_MODE):
 * - `full`: as is;
 * - `truncated`: the last IPv4 octet zeroed (a /24), or the last 80 bits of an IPv6 address (a /48);
 *   an IPv4-mapped IPv6 address is truncated as IPv4;
 * - `none`: nothing.
 */
export type IpMode = 'full' | 'truncated' | 'none';

export const IP_MODES: readonly IpMode[] = ['full', 'truncated', 'none'];

export function applyIpMode(ip: string | null, mode: IpMode): string | null {
  if (ip === null || mode === 'full') return ip;
  if (mode === 'none') return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped !== null) return `::ffff:${truncateV4(mapped[1]!)}`;
  if (V4.test(ip)) return truncateV4(ip);
  if (ip.includes(':')) {
    const groups = expandV6(ip.split('%')[0]!);
    if (groups.length === 8 && groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return truncateV6(groups);
  }
  return null; // not an IP: store nothing rather than something unmasked
}

function truncateV4(ip: string): string {
  return ip.split('.').slice(0, 3).concat('0').join('.');
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function truncateV6(groups: string[]): string {
  return `${groups.slice(0, 3).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::`;
}

/** The 8 groups of an IPv6 address (an embedded IPv4 tail becomes two groups). */
function expandV6(ip: string): string[] {
  let text = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4 !== null) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -v4[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - h.length - t.length;
  if (tail !== undefined && missing < 1) return [];
  const zeros = tail === undefined ? [] : Array<string>(missing).fill('0');
  return [...h, ...zeros, ...t];
}
