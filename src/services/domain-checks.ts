import { caaDecision, findRelevantCaaSet } from '../core/domains/caa.js';
import {
  type CheckOutcome,
  type DnsTargets,
  type RecordSpec,
  MAX_CNAME_HOPS,
  RECORD_TTL,
  expectedRecords,
  matchCnameChain,
  matchDkim,
  matchDmarc,
  matchMx,
  matchSpf,
} from '../core/domains/records.js';
import { type CheckTiming, applyOutcome, freshRecord, trackingStatus } from '../core/domains/status.js';
import type { Domain, DomainRecord } from '../core/model.js';
import type { DnsAnswer, DnsResolver } from '../ports/dns.js';

/**
 * The records a domain should list now: the expected ones, each keeping what earlier checks
 * found while its name and value stay the same (a changed subdomain or operator setting makes a
 * new record, pending from `now` if verification has started). CAA rows are carried over as they are.
 */
export function reconcileRecords(domain: Domain, targets: DnsTargets, now: number): DomainRecord[] {
  const started = domain.verificationStartedAt !== null;
  const previous = new Map(domain.records.map((r) => [`${r.record} ${r.name} ${r.value}`, r]));
  const records = expectedRecords(domain, targets).map(
    (spec) => previous.get(`${spec.record} ${spec.name} ${spec.value}`) ?? freshRecord(spec, started ? 'pending' : 'not_started', now),
  );
  const trackingHost = records.find((r) => r.record === 'Tracking')?.name;
  for (const r of domain.records) if (r.record === 'CAA' && trackingHost !== undefined) records.push(r);
  return records;
}

/** Looks every record up and applies the results: the domain's next records. */
export async function checkRecords(
  domain: Domain,
  records: readonly DomainRecord[],
  dns: DnsResolver,
  targets: DnsTargets,
  now: number,
  timing: CheckTiming,
): Promise<DomainRecord[]> {
  const wasTrackingVerified = trackingStatus(records) === 'verified';
  const checked = await Promise.all(
    records.filter((r) => r.record !== 'CAA').map(async (r) => (r.status === 'not_started' ? r : applyOutcome(r, await lookup(r, domain, dns, targets), now, timing))),
  );
  const tracking = checked.find((r) => r.record === 'Tracking');
  if (tracking !== undefined) {
    const previousCaa = records.find((r) => r.record === 'CAA');
    const caa = await checkCaa(tracking.name, previousCaa, dns, targets, now, timing, wasTrackingVerified);
    if (caa !== null) checked.push(caa);
  }
  return checked;
}

async function lookup(r: DomainRecord, domain: Domain, dns: DnsResolver, targets: DnsTargets): Promise<CheckOutcome> {
  switch (r.record) {
    case 'DKIM':
      return matchDkim(await dns.txt(r.name), domain.dkimPublicKey);
    case 'SPF':
      return matchSpf(await dns.txt(r.name), targets.spfInclude);
    case 'MX':
      return matchMx(await dns.mx(r.name), targets.mxHost);
    case 'DMARC':
      return matchDmarc(await dns.txt(r.name));
    case 'Tracking':
      return followCname(r.name, dns, targets.trackingCnameTarget);
    case 'CAA':
      throw new Error('CAA is checked by checkCaa');
  }
}

/** Walks the CNAME chain from `host`, one hop per query, until it reaches `target` or ends. */
export async function followCname(host: string, dns: DnsResolver, target: string): Promise<CheckOutcome> {
  const chain: string[] = [];
  let name = host;
  let end: DnsAnswer<string> | null = null;
  for (let hop = 0; hop < MAX_CNAME_HOPS; hop++) {
    const answer = await dns.cname(name);
    if (!answer.ok || answer.records.length === 0) {
      end = answer;
      break;
    }
    const next = answer.records[0]!;
    chain.push(next);
    if (next === target.toLowerCase() || chain.indexOf(next) !== chain.length - 1) break;
    name = next;
  }
  return matchCnameChain(chain, end, target);
}

/**
 * CAA (RFC 8659) for the tracking host: a row only while a CAA set governs the host and keeps
 * the CA out. A new requirement on a host that was already verified is a temporary failure
 * (certificates stop renewing), otherwise it is pending like any missing record.
 */
async function checkCaa(
  host: string,
  previous: DomainRecord | undefined,
  dns: DnsResolver,
  targets: DnsTargets,
  now: number,
  timing: CheckTiming,
  trackingWasVerified: boolean,
): Promise<DomainRecord | null> {
  const search = await findRelevantCaaSet(host, (name) => dns.caa(name));
  const decision = caaDecision(search, targets.caDomain);
  if (decision.kind === 'lookup_failed') {
    // Unknown for now: keep what we knew, with the reason.
    return previous === undefined ? null : applyOutcome(previous, { kind: 'inconclusive', problem: decision.failure }, now, timing);
  }
  if (decision.kind === 'allowed') return null;
  const found = search.kind === 'found' ? search.records.map((c) => `${c.flags} ${c.tag} "${c.value}"`) : [];
  const spec: RecordSpec = {
    record: 'CAA',
    type: 'CAA',
    name: decision.owner,
    value: decision.kind === 'record_needed' ? decision.record : `remove the critical "${decision.tag}" property`,
    ttl: RECORD_TTL,
  };
  const base =
    previous !== undefined && previous.name === spec.name && previous.value === spec.value
      ? previous
      : freshRecord(spec, trackingWasVerified ? 'temporary_failure' : 'pending', now);
  return applyOutcome(base, { kind: 'missing', problem: decision.kind === 'record_needed' ? 'ca_not_allowed' : 'critical_unknown_tag', found }, now, timing);
}
