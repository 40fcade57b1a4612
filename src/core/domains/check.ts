import type { DnsAnswer, MxRecord } from '../dns.js';
import type { Domain, DomainRecord, TrackingHost, TrackingHostStatus } from '../model.js';
import { type CaaSearchResult, caaDecision } from './caa.js';
import {
  type CheckOutcome,
  type DnsTargets,
  type RecordSpec,
  RECORD_TTL,
  expectedRecords,
  matchCnameChain,
  matchDkim,
  matchDmarc,
  matchMx,
  matchSpf,
  trackingHostname,
} from './records.js';
import {
  type CheckTiming,
  applyOutcome,
  domainStatus,
  freshRecord,
  isRecordVerified,
  nextCheckAt,
  startVerification,
  trackingHostStatus,
  trackingStatus,
} from './status.js';

/**
 * One DNS check of a domain, pure: the service asks DNS what `checkQuestions` lists, then
 * `applyCheck` turns the answers into the domain's records, status, hosts and schedule.
 */

/** A CNAME chain walked from a host, one query per hop: each target in order, and the answer that ended the walk (null: it reached the target or looped). */
export interface CnameWalk {
  chain: string[];
  end: DnsAnswer<string> | null;
}

/** What a check needs to know from DNS, by queried name. */
export interface DnsQuestions {
  txt: string[];
  mx: string[];
  /** Hosts whose CNAME chain is walked towards the tracking CNAME target. */
  cname: string[];
  /** Hosts whose relevant CAA set is searched for (RFC 8659 §3). */
  caa: string[];
}

/** DNS's answers to a check's questions, by queried name. */
export interface DnsAnswers {
  txt: ReadonlyMap<string, DnsAnswer<string>>;
  mx: ReadonlyMap<string, DnsAnswer<MxRecord>>;
  cname: ReadonlyMap<string, CnameWalk>;
  caa: ReadonlyMap<string, CaaSearchResult>;
}

export interface CheckOptions {
  /** Starts (or restarts) verification first: every record not verified is pending from now. */
  restart?: boolean;
}

/** A host's new status and first-verified time, for the store to write. */
export interface HostUpdate {
  id: number;
  status: TrackingHostStatus;
  verifiedAt: number | null;
}

export interface CheckedDomain {
  /** The domain after the check: records, status, active host, hosts, schedule. */
  domain: Domain;
  /** The hosts whose status or first-verified time changed (also applied to `domain.hosts`). */
  hostUpdates: HostUpdate[];
}

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

/** The host of the current tracking subdomain. */
export function currentHost(domain: Domain): TrackingHost | undefined {
  if (domain.trackingSubdomain === null) return undefined;
  const hostname = trackingHostname(domain.name, domain.trackingSubdomain);
  return domain.hosts.find((h) => h.hostname === hostname);
}

/** What `applyCheck` will need from DNS for this domain, checked at `now` with the same options. */
export function checkQuestions(domain: Domain, targets: DnsTargets, now: number, opts: CheckOptions = {}): DnsQuestions {
  const { records } = toCheck(domain, targets, now, opts);
  const txt = new Set<string>();
  const mx = new Set<string>();
  const cname = new Set<string>();
  const caa = new Set<string>();
  for (const r of records) {
    if (r.record === 'CAA' || r.status === 'not_started') continue;
    if (r.record === 'MX') mx.add(r.name);
    else if (r.record === 'Tracking') cname.add(r.name);
    else txt.add(r.name);
  }
  const tracking = records.find((r) => r.record === 'Tracking');
  if (tracking !== undefined) caa.add(tracking.name);
  // Asked even when the current host is about to take over (its answer then goes unused), so that
  // all of a check's lookups can run at once.
  const previous = previousActiveHost(domain);
  if (previous !== undefined) cname.add(previous.hostname);
  return { txt: [...txt], mx: [...mx], cname: [...cname], caa: [...caa] };
}

/** A check's result: `domain` as stored, DNS's answers to `checkQuestions(domain, …)`, and the time. */
export function applyCheck(
  domain: Domain,
  answers: DnsAnswers,
  now: number,
  targets: DnsTargets,
  timing: CheckTiming,
  opts: CheckOptions = {},
): CheckedDomain {
  const next = toCheck(domain, targets, now, opts);
  const records = checkRecords(next, answers, targets, now, timing);
  const result: Domain = {
    ...next,
    records,
    status: domainStatus(records),
    lastCheckedAt: now,
    nextCheckAt: nextCheckAt(records, now, timing),
    updatedAt: now,
  };
  const hostUpdates: HostUpdate[] = [];
  const update = (host: TrackingHost, status: TrackingHostStatus, verifiedAt: number | null) => {
    if (status !== host.status || verifiedAt !== host.verifiedAt) hostUpdates.push({ id: host.id, status, verifiedAt });
  };
  const current = currentHost(result);
  if (current !== undefined) {
    // The CNAME target is the same for every domain, so it proves nothing about who controls the
    // name; the DKIM key is this domain's own. A host serves only once both are published.
    const tracking = trackingHostStatus(records);
    const status = tracking === 'verified' && !isRecordVerified(records, 'DKIM') ? 'pending' : tracking;
    update(current, status, current.verifiedAt ?? (status === 'verified' ? now : null));
    // From the moment the new host is verified, new emails use it.
    if (status === 'verified') result.activeHostId = current.id;
  }
  // A previous host still carrying new mail is checked too: new mail goes only to a host that answers now.
  const previous = previousActiveHost(result);
  if (previous !== undefined) {
    const outcome = cnameOutcome(previous.hostname, answers, targets);
    if (outcome.kind !== 'inconclusive') update(previous, outcome.kind === 'found' ? 'verified' : 'not_verified', previous.verifiedAt);
  }
  const updates = new Map(hostUpdates.map((u) => [u.id, u]));
  result.hosts = result.hosts.map((h) => {
    const u = updates.get(h.id);
    return u === undefined ? h : { ...h, status: u.status, verifiedAt: u.verifiedAt };
  });
  return { domain: result, hostUpdates };
}

/** The domain with the records a check looks at: reconciled, and restarted if asked. */
function toCheck(domain: Domain, targets: DnsTargets, now: number, opts: CheckOptions): Domain {
  if (!opts.restart) return { ...domain, records: reconcileRecords(domain, targets, now) };
  const started = { ...domain, verificationStartedAt: domain.verificationStartedAt ?? now };
  return { ...started, records: reconcileRecords(started, targets, now).map((r) => startVerification(r, now)) };
}

/** The active host when it is not the current subdomain's (a new subdomain waits to verify). */
function previousActiveHost(domain: Domain): TrackingHost | undefined {
  const active = domain.hosts.find((h) => h.id === domain.activeHostId);
  return active !== undefined && active.id !== currentHost(domain)?.id ? active : undefined;
}

function checkRecords(domain: Domain, answers: DnsAnswers, targets: DnsTargets, now: number, timing: CheckTiming): DomainRecord[] {
  const wasTrackingVerified = trackingStatus(domain.records) === 'verified';
  const checked = domain.records
    .filter((r) => r.record !== 'CAA')
    .map((r) => (r.status === 'not_started' ? r : applyOutcome(r, outcome(r, domain, answers, targets), now, timing)));
  const tracking = checked.find((r) => r.record === 'Tracking');
  if (tracking !== undefined) {
    const previousCaa = domain.records.find((r) => r.record === 'CAA');
    const caa = caaRecord(answer(answers.caa, 'CAA', tracking.name), previousCaa, targets, now, timing, wasTrackingVerified);
    if (caa !== null) checked.push(caa);
  }
  return checked;
}

function outcome(r: DomainRecord, domain: Domain, answers: DnsAnswers, targets: DnsTargets): CheckOutcome {
  switch (r.record) {
    case 'DKIM':
      return matchDkim(answer(answers.txt, 'TXT', r.name), domain.dkimPublicKey);
    case 'SPF':
      return matchSpf(answer(answers.txt, 'TXT', r.name), targets.spfInclude);
    case 'MX':
      return matchMx(answer(answers.mx, 'MX', r.name), targets.mxHost);
    case 'DMARC':
      return matchDmarc(answer(answers.txt, 'TXT', r.name));
    case 'Tracking':
      return cnameOutcome(r.name, answers, targets);
    case 'CAA':
      throw new Error('CAA is checked by caaRecord');
  }
}

function cnameOutcome(host: string, answers: DnsAnswers, targets: DnsTargets): CheckOutcome {
  const walk = answer(answers.cname, 'CNAME', host);
  return matchCnameChain(walk.chain, walk.end, targets.trackingCnameTarget);
}

function answer<T>(answers: ReadonlyMap<string, T>, type: string, name: string): T {
  const found = answers.get(name);
  // A gap between checkQuestions and the answers is a bug, never a DNS result.
  if (found === undefined) throw new Error(`no ${type} answer for ${name}: the check was not asked what checkQuestions lists`);
  return found;
}

/**
 * CAA (RFC 8659) for the tracking host: a row only while a CAA set governs the host and keeps
 * the CA out. A new requirement on a host that was already verified is a temporary failure
 * (certificates stop renewing), otherwise it is pending like any missing record.
 */
function caaRecord(
  search: CaaSearchResult,
  previous: DomainRecord | undefined,
  targets: DnsTargets,
  now: number,
  timing: CheckTiming,
  trackingWasVerified: boolean,
): DomainRecord | null {
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
