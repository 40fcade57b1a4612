import { HOUR_MS, MINUTE_MS } from '../time.js';
import type { DnsRecordKind, DnsRecordStatus, DomainRecord, DomainStatus, TrackingHostStatus } from '../model.js';
import { type CheckOutcome, type RecordSpec, SENDING_RECORDS, TRACKING_RECORDS } from './records.js';

/**
 * The domain status rules, pure: how one check moves a record, what the records make of the
 * domain, and when to look again. The "Statuses" table in docs/domains.md is the contract.
 */

export interface CheckTiming {
  /** How long a record may be missing before it fails: 72 h. */
  failAfterMs: number;
  /** How often verified records are re-checked: 24 h by default (WAYMARK_DNS_RECHECK_HOURS). */
  recheckVerifiedMs: number;
}

export const DEFAULT_TIMING: CheckTiming = { failAfterMs: 72 * HOUR_MS, recheckVerifiedMs: 24 * HOUR_MS };

/** A record as first listed: nothing checked yet. A missing one (pending, temporary_failure) is missing since `since`. */
export function freshRecord(spec: RecordSpec, status: DnsRecordStatus = 'not_started', since: number | null = null): DomainRecord {
  const missing = status === 'pending' || status === 'temporary_failure';
  return { ...spec, status, found: [], problem: null, checkedAt: null, missingSince: missing ? since : null, verifiedAt: null };
}

/** Whether the domain's record of this kind is verified. */
export function isRecordVerified(records: readonly DomainRecord[], kind: DnsRecordKind): boolean {
  return records.some((r) => r.record === kind && r.status === 'verified');
}

/**
 * Starts (or restarts) verification: every record not verified is pending from `now`, so it has
 * 72 h again. A record in temporary_failure keeps its run: asking again does not extend it.
 */
export function startVerification(record: DomainRecord, now: number): DomainRecord {
  if (record.status === 'verified' || record.status === 'temporary_failure') return record;
  return { ...record, status: 'pending', missingSince: now };
}

/**
 * One check's effect on one record. Only a conclusive miss (NXDOMAIN, NODATA, another value)
 * moves a record towards `failed`; a lookup that times out or gets SERVFAIL leaves it where it
 * was, however long DNS stays unreachable.
 */
export function applyOutcome(record: DomainRecord, outcome: CheckOutcome, now: number, timing: CheckTiming = DEFAULT_TIMING): DomainRecord {
  if (record.status === 'not_started') return record;
  if (outcome.kind === 'found') {
    return { ...record, status: 'verified', found: outcome.found, problem: null, checkedAt: now, missingSince: null, verifiedAt: record.verifiedAt ?? now };
  }
  const checked: DomainRecord =
    outcome.kind === 'missing'
      ? { ...record, found: outcome.found, problem: outcome.problem, checkedAt: now }
      : // Inconclusive: what was found before still stands; only the reason is new.
        { ...record, problem: outcome.problem, checkedAt: now };
  // Nothing was learnt about the record: it stays as it was, with the reason shown.
  if (outcome.kind === 'inconclusive') return checked;
  switch (record.status) {
    case 'verified':
      // A conclusive miss starts a 72 h run.
      return { ...checked, status: 'temporary_failure', missingSince: now };
    case 'pending':
    case 'temporary_failure': {
      const since = record.missingSince ?? now;
      return now - since >= timing.failAfterMs ? { ...checked, status: 'failed', missingSince: since } : { ...checked, missingSince: since };
    }
    case 'failed':
      return checked;
  }
}

type CapabilityStatus = 'not_started' | 'pending' | 'verified' | 'failed' | 'temporary_failure';

function capability(records: readonly DomainRecord[], kinds: readonly DnsRecordKind[]): CapabilityStatus | null {
  const statuses = records.filter((r) => kinds.includes(r.record)).map((r) => r.status);
  if (statuses.length === 0) return null;
  if (statuses.every((s) => s === 'verified')) return 'verified';
  if (statuses.includes('failed')) return 'failed';
  if (statuses.includes('temporary_failure')) return 'temporary_failure';
  if (statuses.every((s) => s === 'not_started')) return 'not_started';
  return 'pending';
}

export function sendingStatus(records: readonly DomainRecord[]): CapabilityStatus {
  return capability(records, SENDING_RECORDS) ?? 'not_started';
}

/** Null when the domain has no tracking subdomain. */
export function trackingStatus(records: readonly DomainRecord[]): CapabilityStatus | null {
  return capability(records, TRACKING_RECORDS);
}

/** The domain's status from its two capabilities (tracking only once a tracking subdomain is set). */
export function domainStatus(records: readonly DomainRecord[]): DomainStatus {
  const sending = sendingStatus(records);
  const tracking = trackingStatus(records);
  const caps = tracking === null ? [sending] : [sending, tracking];
  if (caps.every((c) => c === 'not_started')) return 'not_started';
  if (caps.includes('temporary_failure')) return 'temporary_failure';
  if (caps.every((c) => c === 'verified')) return 'verified';
  if (caps.includes('verified')) return caps.includes('failed') ? 'partially_failed' : 'partially_verified';
  if (caps.every((c) => c === 'failed')) return 'failed';
  return 'pending';
}

/** The current tracking host's status, from the tracking records. */
export function trackingHostStatus(records: readonly DomainRecord[]): TrackingHostStatus {
  const t = trackingStatus(records);
  if (t === 'verified') return 'verified';
  if (t === 'pending' || t === 'temporary_failure') return 'pending';
  return 'not_verified';
}

/**
 * When to check again: often while a record is missing (every minute at first, backing off to
 * hourly), and daily once verified. Never later than the moment a missing record would fail, so
 * that `failed` is reached on time. Null: nothing left to check automatically.
 */
export function nextCheckAt(records: readonly DomainRecord[], now: number, timing: CheckTiming = DEFAULT_TIMING): number | null {
  let next: number | null = null;
  const consider = (at: number) => {
    next = next === null ? at : Math.min(next, at);
  };
  for (const r of records) {
    if (r.record === 'DMARC') continue;
    if (r.status === 'pending' || r.status === 'temporary_failure') {
      const since = r.missingSince ?? now;
      consider(Math.min(now + backoff(now - since), since + timing.failAfterMs));
    } else if (r.status === 'verified' || r.status === 'failed') {
      // A failed record is looked at daily too: an owner who fixes DNS without asking is noticed.
      consider(now + timing.recheckVerifiedMs);
    }
  }
  return next;
}

function backoff(missingForMs: number): number {
  if (missingForMs < 10 * MINUTE_MS) return MINUTE_MS;
  if (missingForMs < HOUR_MS) return 5 * MINUTE_MS;
  if (missingForMs < 6 * HOUR_MS) return 15 * MINUTE_MS;
  return HOUR_MS;
}
