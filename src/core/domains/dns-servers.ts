import ipaddr from 'ipaddr.js';

/** What `node:net` isIP says, without importing I/O modules into the core. */
function isIP(s: string): 0 | 4 | 6 {
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) return 4;
  if (s.includes(':') && ipaddr.IPv6.isValid(s)) return 6;
  return 0;
}

/**
 * Checks one DNS server entry and returns it trimmed. Node's `Resolver#setServers` is not a safe
 * validator: it aborts the whole process on port 0, wraps ports above 65535, and silently drops an
 * IPv6 zone id, so every entry goes through here first.
 */
export function checkDnsServer(entry: string): string {
  const value = entry.trim();
  const fail = (why: string): never => {
    throw new Error(`invalid DNS server ${JSON.stringify(entry)}: ${why} (expected an IP address with an optional port: 192.0.2.53, 192.0.2.53:5353, 2001:db8::53 or [2001:db8::53]:5353)`);
  };
  if (value === '') fail('empty entry');
  let host: string;
  let port: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::([^:]*))?$/.exec(value);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2];
    if (isIP(host) !== 6) fail('only an IPv6 address goes in brackets');
  } else if (isIP(value) !== 0) {
    host = value;
  } else {
    const hostPort = /^([^:]*):([^:]*)$/.exec(value);
    if (!hostPort) fail('not an IP address');
    host = hostPort![1]!;
    port = hostPort![2];
    if (isIP(host) !== 4) fail(host === '' ? 'no address' : `${JSON.stringify(host)} is not an IP address (host names are not accepted)`);
  }
  if (host.includes('%')) fail('an IPv6 zone id (%…) is not supported');
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port)) fail(`port ${JSON.stringify(port)} is not a number`);
    const n = Number(port);
    if (n < 1 || n > 65535) fail(`port ${n} is out of range 1-65535`);
  }
  return value;
}

/**
 * Parses a comma-separated server list (WAYMARK_DNS_SERVERS). An empty or blank value gives `[]`,
 * i.e. the system's servers; a malformed entry throws an Error that names it.
 */
export function parseDnsServers(spec: string): string[] {
  if (spec.trim() === '') return [];
  return spec.split(',').map((entry) => checkDnsServer(entry));
}

