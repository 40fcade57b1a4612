import ipaddr from 'ipaddr.js';

/**
 * Whether a webhook may be sent to this IP address: only globally routable unicast addresses.
 * Everything ipaddr.js classes otherwise is refused: loopback, private, link-local, CGNAT, unique
 * local, multicast, broadcast, unspecified, documentation, benchmarking and other reserved
 * ranges; and IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4, Teredo) are judged by
 * that IPv4 address or refused.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return isPublicAddress(v6.toIPv4Address().toString());
    return v6.range() === 'unicast';
  }
  return (ip as ipaddr.IPv4).range() === 'unicast';
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
