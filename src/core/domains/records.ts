import type { DnsRecordKind, DomainRecord } from '../model.js';
import type { DnsAnswer, MxRecord } from '../dns.js';

/** Where the records a domain owner adds must point: the operator's settings. */
export interface DnsTargets {
  /** The tracking CNAME's target (WAYMARK_TRACKING_CNAME_TARGET). */
  trackingCnameTarget: string;
  /** The SPF `include:` domain that covers the sending relay (WAYMARK_SPF_INCLUDE). */
  spfInclude: string;
  /** The host that receives bounces on the return path (WAYMARK_MX_HOST). */
  mxHost: string;
  /** The certificate authority's CAA identifier (WAYMARK_ACME_CA). */
  caDomain: string;
}

export const RECORD_TTL = 3600;
export const MX_PRIORITY = 10;
/** Longest CNAME chain followed before giving up (resolvers stop at about this many too). */
export const MAX_CNAME_HOPS = 8;

/** A record as the owner must add it, before any check. */
export type RecordSpec = Pick<DomainRecord, 'record' | 'type' | 'name' | 'value' | 'ttl' | 'priority'>;

export interface DomainNames {
  name: string;
  returnPath: string;
  dkimSelector: string;
  dkimPublicKey: string;
  trackingSubdomain: string | null;
}

export function dkimRecordValue(publicKey: string): string {
  return `v=DKIM1; k=rsa; p=${publicKey}`;
}

export function trackingHostname(domainName: string, subdomain: string): string {
  return `${subdomain}.${domainName}`;
}

/** Every record the owner adds, in the order shown, except CAA (known only after a lookup). */
export function expectedRecords(d: DomainNames, t: DnsTargets): RecordSpec[] {
  const returnPathHost = `${d.returnPath}.${d.name}`;
  const specs: RecordSpec[] = [
    { record: 'DKIM', type: 'TXT', name: `${d.dkimSelector}._domainkey.${d.name}`, value: dkimRecordValue(d.dkimPublicKey), ttl: RECORD_TTL },
    { record: 'SPF', type: 'TXT', name: returnPathHost, value: `v=spf1 include:${t.spfInclude} ~all`, ttl: RECORD_TTL },
    { record: 'MX', type: 'MX', name: returnPathHost, value: t.mxHost, ttl: RECORD_TTL, priority: MX_PRIORITY },
    { record: 'DMARC', type: 'TXT', name: `_dmarc.${d.name}`, value: 'v=DMARC1; p=none;', ttl: RECORD_TTL },
  ];
  if (d.trackingSubdomain !== null) {
    specs.push({ record: 'Tracking', type: 'CNAME', name: trackingHostname(d.name, d.trackingSubdomain), value: t.trackingCnameTarget, ttl: RECORD_TTL });
  }
  return specs;
}

/** The records that make up each capability. DMARC is a suggestion and counts for neither. */
export const SENDING_RECORDS: readonly DnsRecordKind[] = ['DKIM', 'SPF', 'MX'];
export const TRACKING_RECORDS: readonly DnsRecordKind[] = ['Tracking', 'CAA'];

/**
 * What one check concluded about one record. `inconclusive` (timeout, SERVFAIL…) says nothing
 * about the record, so it never fails one.
 */
export type CheckOutcome =
  | { kind: 'found'; found: string[] }
  | { kind: 'missing'; problem: string; found: string[] }
  | { kind: 'inconclusive'; problem: string };

const INCONCLUSIVE = new Set(['servfail', 'timeout', 'refused', 'error']);

function failureOutcome<T>(answer: Extract<DnsAnswer<T>, { ok: false }>): CheckOutcome {
  if (INCONCLUSIVE.has(answer.failure)) return { kind: 'inconclusive', problem: answer.failure === 'error' ? 'lookup_error' : answer.failure };
  return { kind: 'missing', problem: answer.failure, found: [] };
}

/** DKIM: some TXT at the selector whose p= tag is our public key (whitespace inside the tag ignored). */
export function matchDkim(answer: DnsAnswer<string>, publicKey: string): CheckOutcome {
  if (!answer.ok) return failureOutcome(answer);
  const ours = answer.records.some((txt) => dkimTag(txt, 'p') === publicKey);
  return ours ? { kind: 'found', found: answer.records } : { kind: 'missing', problem: 'mismatch', found: answer.records };
}

function dkimTag(txt: string, tag: string): string | null {
  for (const part of txt.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim().toLowerCase() === tag) return part.slice(eq + 1).replace(/\s+/g, '');
  }
  return null;
}

/**
 * SPF: exactly one `v=spf1` TXT (two are a permanent error for receivers, RFC 7208 §4.5) that
 * includes our SPF domain.
 */
export function matchSpf(answer: DnsAnswer<string>, include: string): CheckOutcome {
  if (!answer.ok) return failureOutcome(answer);
  const spf = answer.records.filter((txt) => /^v=spf1(\s|$)/i.test(txt.trim()));
  if (spf.length === 0) return { kind: 'missing', problem: 'mismatch', found: answer.records };
  if (spf.length > 1) return { kind: 'missing', problem: 'multiple_spf', found: spf };
  const wanted = include.toLowerCase();
  const terms = spf[0]!.trim().split(/\s+/).slice(1);
  const included = terms.some((term) => term.toLowerCase().replace(/^\+/, '') === `include:${wanted}`);
  return included ? { kind: 'found', found: spf } : { kind: 'missing', problem: 'mismatch', found: spf };
}

export function matchMx(answer: DnsAnswer<MxRecord>, mxHost: string): CheckOutcome {
  if (!answer.ok) return failureOutcome(answer);
  const found = answer.records.map((mx) => `${mx.priority} ${mx.exchange}`);
  return answer.records.some((mx) => mx.exchange === mxHost.toLowerCase())
    ? { kind: 'found', found }
    : { kind: 'missing', problem: 'mismatch', found };
}

export function matchDmarc(answer: DnsAnswer<string>): CheckOutcome {
  if (!answer.ok) return failureOutcome(answer);
  const dmarc = answer.records.filter((txt) => /^v=DMARC1\s*(;|$)/i.test(txt.trim()));
  return dmarc.length > 0 ? { kind: 'found', found: dmarc } : { kind: 'missing', problem: 'mismatch', found: answer.records };
}

/**
 * The tracking CNAME, given the chain followed from the tracking host: `chain` holds each target
 * in order, `end` the answer that stopped the walk. A chain that reaches the target anywhere is
 * correct (a CDN or an operator's own alias may sit in between).
 */
export function matchCnameChain(chain: readonly string[], end: DnsAnswer<string> | null, target: string): CheckOutcome {
  const wanted = target.toLowerCase();
  if (chain.includes(wanted)) return { kind: 'found', found: [...chain] };
  if (chain.length === 0) {
    if (end === null || end.ok) return { kind: 'missing', problem: 'nodata', found: [] };
    return failureOutcome(end);
  }
  // The host is an alias, but not of ours: a lookup failure further down the chain is still inconclusive.
  if (end !== null && !end.ok && INCONCLUSIVE.has(end.failure)) return failureOutcome(end);
  return { kind: 'missing', problem: 'mismatch', found: [...chain] };
}
