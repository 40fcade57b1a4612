import type { CaaRecord, DnsAnswer, MxRecord } from '../core/dns.js';

export type { CaaRecord, DnsAnswer, DnsFailure, MxRecord } from '../core/dns.js';

/** The DNS port: what domain verification asks of DNS (adapters/dns/node-dns-resolver.ts). */
export interface DnsResolver {
  /** TXT records at `name`, each one's character-strings joined into one string. */
  txt(name: string): Promise<DnsAnswer<string>>;
  /** The CNAME target(s) at `name` (one hop, normalised), not followed. */
  cname(name: string): Promise<DnsAnswer<string>>;
  mx(name: string): Promise<DnsAnswer<MxRecord>>;
  /** CAA records at `name`; the server follows a CNAME at `name` as for any other type. */
  caa(name: string): Promise<DnsAnswer<CaaRecord>>;
}
