import ipaddr from 'ipaddr.js';

/**
 * The IANA IPv4 Special-Purpose Address Registry (RFC 6890 and its updates), every entry, plus
 * multicast: none of it is a webhook receiver's address, whether or not the registry marks it
 * globally reachable (AS112, AMT and anycast relays are not HTTP servers of anybody's).
 */
const IPV4_SPECIAL: ReadonlyArray<[string, string]> = [
  ['0.0.0.0/8', 'this network'],
  ['10.0.0.0/8', 'private use'],
  ['100.64.0.0/10', 'shared address space (CGNAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link local'],
  ['172.16.0.0/12', 'private use'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation (TEST-NET-1)'],
  ['192.31.196.0/24', 'AS112-v4'],
  ['192.52.193.0/24', 'AMT'],
  ['192.88.99.0/24', 'deprecated 6to4 relay anycast'],
  ['192.168.0.0/16', 'private use'],
  ['192.175.48.0/24', 'direct delegation AS112 service'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation (TEST-NET-2)'],
  ['203.0.113.0/24', 'documentation (TEST-NET-3)'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['255.255.255.255/32', 'limited broadcast'],
];

/**
 * IPv6: only global unicast (2000::/3) is a candidate at all, which leaves out ::/96
 * (IPv4-compatible), ::/128, ::1, 64:ff9b::/96 and 64:ff9b:1::/48 (translation), 100::/64,
 * fc00::/7, fe80::/10, 5f00::/16, multicast and every unassigned block. Within 2000::/3, the
 * registry's entries are refused. IPv4-mapped addresses (::ffff:0:0/96) are judged as IPv4.
 */
const IPV6_GLOBAL_UNICAST = '2000::/3';
const IPV6_SPECIAL: ReadonlyArray<[string, string]> = [
  ['2001::/23', 'IETF protocol assignments (Teredo, benchmarking, ORCHID, AMT, AS112…)'],
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', '6to4'],
  ['2620:4f:8000::/48', 'direct delegation AS112 service'],
  ['3fff::/20', 'documentation'],
];

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];
const v4Blocks = IPV4_SPECIAL.map(([cidr, name]) => ({ range: ipaddr.parseCIDR(cidr) as Cidr, name }));
const v6Blocks = IPV6_SPECIAL.map(([cidr, name]) => ({ range: ipaddr.parseCIDR(cidr) as Cidr, name }));
const v6Global = ipaddr.parseCIDR(IPV6_GLOBAL_UNICAST) as Cidr;

/** Why a webhook may not be sent to this IP address, or null when it is a public unicast one. */
export function addressProblem(address: string): string | null {
  const ip = parseAddress(address);
  if (ip === null) return 'is not an IP address';
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return addressProblem(v6.toIPv4Address().toString());
    if (!v6.match(v6Global)) return 'is not a global unicast IPv6 address';
    const block = v6Blocks.find((b) => v6.match(b.range));
    return block ? `is special-purpose (${block.name})` : null;
  }
  const v4 = ip as ipaddr.IPv4;
  const block = v4Blocks.find((b) => v4.match(b.range));
  return block ? `is special-purpose (${block.name})` : null;
}

/**
 * IPv6 goes through the WHATWG URL parser first: ipaddr.js reads the dotted form `::127.0.0.1`
 * (IPv4-compatible) as if it were `::ffff:127.0.0.1` (mapped), while URLs and sockets mean ::7f00:1.
 */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  let text = address;
  if (address.includes(':')) {
    try {
      text = new URL(`http://[${address.replace(/^\[|\]$/g, '')}]/`).hostname.slice(1, -1);
    } catch {
      return null;
    }
  }
  return ipaddr.isValid(text) ? ipaddr.parse(text) : null;
}

/** Whether a webhook may be sent to this IP address: only globally routable unicast addresses. */
export function isPublicAddress(address: string): boolean {
  return addressProblem(address) === null;
}

/** Why a webhook URL is refused before any lookup, or null when its form is acceptable. */
export function urlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be http(s)';
  if (parsed.username || parsed.password) return 'must not carry credentials';
  return null;
}
