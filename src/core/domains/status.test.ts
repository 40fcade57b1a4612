import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DnsRecordKind, DnsRecordStatus, DomainRecord } from '../model.js';
import { DOMAIN_STATUSES } from '../model.js';
import { type CheckOutcome, matchCnameChain, matchDkim, matchMx, matchSpf } from './records.js';
import { DEFAULT_TIMING, applyOutcome, domainStatus, freshRecord, nextCheckAt, startVerification } from './status.js';

const H = 3_600_000;
const T0 = 1_760_000_000_000;

function record(kind: DnsRecordKind, status: DnsRecordStatus, missingSince: number | null = null): DomainRecord {
  return { ...freshRecord({ record: kind, type: 'TXT', name: `${kind}.example.test`, value: 'v', ttl: 3600 }), status, missingSince };
}

const sending = (s: DnsRecordStatus) => [record('DKIM', s), record('SPF', s), record('MX', s)];
const found: CheckOutcome = { kind: 'found', found: ['v'] };
const missing: CheckOutcome = { kind: 'missing', problem: 'nxdomain', found: [] };
const timeout: CheckOutcome = { kind: 'inconclusive', problem: 'timeout' };

describe('record transitions', () => {
  it('pending becomes verified when found, and failed only after 72 h without it', () => {
    const pending = startVerification(record('DKIM', 'not_started'), T0);
    expect(pending).toMatchObject({ status: 'pending', missingSince: T0 });
    expect(applyOutcome(pending, missing, T0 + 71 * H)).toMatchObject({ status: 'pending', problem: 'nxdomain' });
    expect(applyOutcome(pending, missing, T0 + 72 * H)).toMatchObject({ status: 'failed' });
    expect(applyOutcome(pending, found, T0 + 5 * H)).toMatchObject({ status: 'verified', verifiedAt: T0 + 5 * H, problem: null, missingSince: null });
  });

  it('a verified record that disappears is a temporary failure for 72 h, then failed; found again, verified', () => {
    const verified = applyOutcome(startVerification(record('SPF', 'not_started'), T0), found, T0);
    const gone = applyOutcome(verified, missing, T0 + 10 * H);
    expect(gone).toMatchObject({ status: 'temporary_failure', missingSince: T0 + 10 * H });
    expect(applyOutcome(gone, missing, T0 + 81 * H)).toMatchObject({ status: 'temporary_failure' });
    expect(applyOutcome(gone, missing, T0 + 82 * H)).toMatchObject({ status: 'failed' });
    expect(applyOutcome(gone, found, T0 + 50 * H)).toMatchObject({ status: 'verified', verifiedAt: T0, missingSince: null });
  });

  it('a timeout or SERVFAIL never fails a record or takes a verified one away', () => {
    const verified = applyOutcome(startVerification(record('MX', 'not_started'), T0), found, T0);
    expect(applyOutcome(verified, timeout, T0 + H)).toMatchObject({ status: 'verified', found: ['v'] });
    const pending = startVerification(record('MX', 'not_started'), T0);
    expect(applyOutcome(pending, timeout, T0 + H)).toMatchObject({ status: 'pending', problem: 'timeout' });
  });

  it('a record nobody could look up for 72 h is not failed: only a conclusive miss fails it', () => {
    const pending = startVerification(record('MX', 'not_started'), T0);
    const unreachable = applyOutcome(pending, timeout, T0 + 100 * H);
    expect(unreachable).toMatchObject({ status: 'pending', problem: 'timeout', missingSince: T0 });
    expect(applyOutcome(unreachable, missing, T0 + 101 * H).status).toBe('failed');
    const gone = applyOutcome(applyOutcome(pending, found, T0), missing, T0 + H);
    expect(applyOutcome(gone, { kind: 'inconclusive', problem: 'servfail' }, T0 + 200 * H).status).toBe('temporary_failure');
  });

  it('asking again gives a failed record 72 h more, but does not extend a temporary failure', () => {
    expect(startVerification(record('DKIM', 'failed', T0), T0 + 100 * H)).toMatchObject({ status: 'pending', missingSince: T0 + 100 * H });
    expect(startVerification(record('DKIM', 'temporary_failure', T0), T0 + 10 * H)).toMatchObject({ status: 'temporary_failure', missingSince: T0 });
  });
});

describe('domain status', () => {
  const tracking = (s: DnsRecordStatus) => [record('Tracking', s)];

  it.each([
    [sending('not_started'), 'not_started'],
    [sending('pending'), 'pending'],
    [sending('verified'), 'verified'],
    [sending('failed'), 'failed'],
    [sending('temporary_failure'), 'temporary_failure'],
    [[...sending('verified'), ...tracking('verified')], 'verified'],
    [[...sending('verified'), ...tracking('pending')], 'partially_verified'],
    [[...sending('pending'), ...tracking('verified')], 'partially_verified'],
    [[...sending('verified'), ...tracking('failed')], 'partially_failed'],
    [[...sending('failed'), ...tracking('verified')], 'partially_failed'],
    [[...sending('failed'), ...tracking('failed')], 'failed'],
    [[...sending('failed'), ...tracking('pending')], 'pending'],
    [[...sending('verified'), ...tracking('temporary_failure')], 'temporary_failure'],
  ] as const)('%#: %j is %s', (records, status) => {
    expect(domainStatus(records)).toBe(status);
  });

  it('one missing record is enough to hold a capability back; DMARC counts for neither', () => {
    expect(domainStatus([record('DKIM', 'verified'), record('SPF', 'verified'), record('MX', 'pending')])).toBe('pending');
    expect(domainStatus([...sending('verified'), record('DMARC', 'failed')])).toBe('verified');
  });

  it('is always one of the documented statuses', () => {
    const statuses: DnsRecordStatus[] = ['not_started', 'pending', 'verified', 'failed', 'temporary_failure'];
    const kinds: DnsRecordKind[] = ['DKIM', 'SPF', 'MX', 'DMARC', 'Tracking', 'CAA'];
    fc.assert(
      fc.property(fc.array(fc.record({ kind: fc.constantFrom(...kinds), status: fc.constantFrom(...statuses) })), (rs) => {
        expect(DOMAIN_STATUSES).toContain(domainStatus(rs.map((r) => record(r.kind, r.status))));
      }),
    );
  });
});

describe('check schedule', () => {
  it('checks often at first, backs off, and never later than the moment a record would fail', () => {
    const pending = sending('pending').map((r) => ({ ...r, missingSince: T0 }));
    expect(nextCheckAt(pending, T0)).toBe(T0 + 60_000);
    expect(nextCheckAt(pending, T0 + 2 * H)).toBe(T0 + 2 * H + 15 * 60_000);
    expect(nextCheckAt(pending, T0 + 30 * H)).toBe(T0 + 31 * H);
    expect(nextCheckAt(pending, T0 + 71.5 * H)).toBe(T0 + 72 * H);
  });

  it('re-checks verified domains every 24 h (configurable), and nothing before verification starts', () => {
    expect(nextCheckAt(sending('verified'), T0)).toBe(T0 + 24 * H);
    expect(nextCheckAt(sending('verified'), T0, { ...DEFAULT_TIMING, recheckVerifiedMs: 6 * H })).toBe(T0 + 6 * H);
    expect(nextCheckAt(sending('not_started'), T0)).toBeNull();
  });
});

describe('record matching', () => {
  it('DKIM matches the public key whatever the spacing, and shows another key as a mismatch', () => {
    expect(matchDkim({ ok: true, records: ['v=DKIM1; k=rsa; p=MIIB AQAB'] }, 'MIIBAQAB').kind).toBe('found');
    expect(matchDkim({ ok: true, records: ['v=DKIM1; p=OTHER'] }, 'MIIBAQAB')).toEqual({ kind: 'missing', problem: 'mismatch', found: ['v=DKIM1; p=OTHER'] });
    expect(matchDkim({ ok: false, failure: 'nxdomain' }, 'K')).toEqual({ kind: 'missing', problem: 'nxdomain', found: [] });
    expect(matchDkim({ ok: false, failure: 'servfail' }, 'K')).toEqual({ kind: 'inconclusive', problem: 'servfail' });
  });

  it('SPF needs exactly one v=spf1 record with our include', () => {
    expect(matchSpf({ ok: true, records: ['v=spf1 include:spf.waymark.test ~all'] }, 'spf.waymark.test').kind).toBe('found');
    expect(matchSpf({ ok: true, records: ['v=spf1 +include:SPF.waymark.test -all', 'other'] }, 'spf.waymark.test').kind).toBe('found');
    expect(matchSpf({ ok: true, records: ['v=spf1 include:a ~all', 'v=spf1 include:spf.waymark.test ~all'] }, 'spf.waymark.test')).toMatchObject({ problem: 'multiple_spf' });
    expect(matchSpf({ ok: true, records: ['v=spf1 include:spf.waymark.test.evil ~all'] }, 'spf.waymark.test')).toMatchObject({ problem: 'mismatch' });
  });

  it('MX matches the exchange and reports what is there', () => {
    expect(matchMx({ ok: true, records: [{ exchange: 'mx.other.test', priority: 5 }] }, 'mx.waymark.test')).toEqual({ kind: 'missing', problem: 'mismatch', found: ['5 mx.other.test'] });
  });

  it('a CNAME chain that reaches the target anywhere is correct; another target is a mismatch showing the chain', () => {
    expect(matchCnameChain(['cdn.test', 'track.waymark.test'], null, 'track.waymark.test').kind).toBe('found');
    expect(matchCnameChain(['elsewhere.test'], { ok: false, failure: 'nodata' }, 'track.waymark.test')).toEqual({ kind: 'missing', problem: 'mismatch', found: ['elsewhere.test'] });
    expect(matchCnameChain([], { ok: false, failure: 'nxdomain' }, 'track.waymark.test')).toMatchObject({ problem: 'nxdomain' });
    expect(matchCnameChain([], { ok: false, failure: 'timeout' }, 'track.waymark.test').kind).toBe('inconclusive');
  });
});
