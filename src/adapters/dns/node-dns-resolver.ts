import { Resolver } from 'node:dns/promises';
import { domainToASCII } from 'node:url';
import { checkDnsServer } from '../../core/domains/dns-servers.js';
import type { CaaRecord, DnsAnswer, DnsFailure, DnsResolver, MxRecord } from '../../ports/dns.js';

export { checkDnsServer, parseDnsServers } from '../../core/domains/dns-servers.js';

export interface NodeDnsResolverOptions {
  /**
   * Servers to ask, each `ip`, `ip:port`, `ipv6` or `[ipv6]:port`. Empty or absent: the system's
   * (/etc/resolv.conf).
   */
  servers?: string[];
  /** Per-try timeout, in ms. Default 2500. */
  timeoutMs?: number;
  /** Tries per server. Default 2. */
  tries?: number;
}

export const DEFAULT_DNS_TIMEOUT_MS = 2500;
export const DEFAULT_DNS_TRIES = 2;

/** A name as returned to callers: lowercase, no trailing dot, punycode. */
export function normaliseDnsName(name: string): string {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare === '') return '';
  return (domainToASCII(bare) || bare).toLowerCase();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Node hands TXT and CAA octets over as one char per byte (latin1). Read them as UTF-8 where they
 * are valid UTF-8 (always, for ASCII), else leave them as they came.
 */
function fromOctets(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  if (/[^\x00-\xff]/.test(s)) return s; // not octets after all
  try {
    return utf8.decode(Buffer.from(s, 'latin1'));
  } catch {
    return s;
  }
}

const FAILURES: Record<string, DnsFailure> = {
  ENOTFOUND: 'nxdomain',
  ENODATA: 'nodata',
  ESERVFAIL: 'servfail',
  EREFUSED: 'refused',
  ETIMEOUT: 'timeout',
};

function failed<T>(err: unknown): DnsAnswer<T> {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && FAILURES[code]) return { ok: false, failure: FAILURES[code] };
  const detail = typeof code === 'string' && code ? code : err instanceof Error ? err.message : String(err);
  return { ok: false, failure: 'error', detail };
}

/** The DNS port over `node:dns/promises` Resolver (c-ares): each query goes to the servers as asked, no cache. */
export class NodeDnsResolver implements DnsResolver {
  readonly #resolver: Resolver;

  constructor(options: NodeDnsResolverOptions = {}) {
    const timeout = options.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
    const tries = options.tries ?? DEFAULT_DNS_TRIES;
    if (!Number.isInteger(timeout) || timeout < 1) throw new Error(`DNS timeoutMs must be a positive integer, got ${timeout}`);
    if (!Number.isInteger(tries) || tries < 1) throw new Error(`DNS tries must be a positive integer, got ${tries}`);
    this.#resolver = new Resolver({ timeout, tries });
    const servers = (options.servers ?? []).map((s) => checkDnsServer(s));
    if (servers.length > 0) this.#resolver.setServers(servers);
  }

  /** The servers in use, as node reports them. */
  servers(): string[] {
    return this.#resolver.getServers();
  }

  /** Cancels the queries in flight; they come back as `error` ECANCELLED. */
  cancel(): void {
    this.#resolver.cancel();
  }

  async txt(name: string): Promise<DnsAnswer<string>> {
    try {
      const records = await this.#resolver.resolveTxt(name);
      // Join the octets first: a UTF-8 character may straddle two character-strings.
      return { ok: true, records: records.map((chunks) => fromOctets(chunks.join(''))) };
    } catch (err) {
      return failed(err);
    }
  }

  async cname(name: string): Promise<DnsAnswer<string>> {
    try {
      const records = await this.#resolver.resolveCname(name);
      return { ok: true, records: records.map(normaliseDnsName) };
    } catch (err) {
      return failed(err);
    }
  }

  async mx(name: string): Promise<DnsAnswer<MxRecord>> {
    try {
      const records = await this.#resolver.resolveMx(name);
      return { ok: true, records: records.map((r) => ({ exchange: normaliseDnsName(r.exchange), priority: r.priority })) };
    } catch (err) {
      return failed(err);
    }
  }

  async caa(name: string): Promise<DnsAnswer<CaaRecord>> {
    let raw: unknown[];
    try {
      raw = await this.#resolver.resolveCaa(name);
    } catch (err) {
      const answer = failed<CaaRecord>(err);
      if (!answer.ok && answer.detail === 'EBADRESP') {
        // c-ares (1.34, node 20) rejects the whole answer when one record has an empty value,
        // e.g. `0 issue ""`, which RFC 8659 allows.
        return { ...answer, detail: 'EBADRESP (the CAA answer could not be parsed; c-ares rejects a CAA record with an empty value)' };
      }
      return answer;
    }
    const records: CaaRecord[] = [];
    for (const r of raw) {
      // Node gives { critical: <flags octet>, <tag as sent>: <value> }: one key per record besides `critical`.
      const { critical, ...rest } = r as Record<string, unknown>;
      const entries = Object.entries(rest);
      if (typeof critical !== 'number' || entries.length !== 1 || typeof entries[0]![1] !== 'string') {
        // A record whose tag is literally "critical" overwrites the flags key: its flags are lost.
        return { ok: false, failure: 'error', detail: `unreadable CAA record from node: ${JSON.stringify(r)}` };
      }
      const [tag, value] = entries[0] as [string, string];
      records.push({ flags: critical, tag: tag.toLowerCase(), value: fromOctets(value) });
    }
    return { ok: true, records };
  }
}
