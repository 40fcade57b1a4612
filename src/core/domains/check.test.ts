import { describe, expect, it } from 'vitest';
import type { CaaRecord, DnsAnswer, MxRecord } from '../dns.js';
import type { Domain, DomainRecord, TrackingHost } from '../model.js';
import type { CaaSearchResult } from './caa.js';
import { type CnameWalk, type DnsAnswers, applyCheck, checkQuestions, currentHost, reconcileRecords } from './check.js';
import { type DnsTargets, dkimRecordValue } from './records.js';
import { DEFAULT_TIMING } from './status.js';

const H = 3_600_000;
const T0 = 1_760_000_000_000;
const TARGETS: DnsTargets = { trackingCnameTarget: 'track.waymark.test', spfInclude: 'spf.waymark.test', mxHost: 'mx.waymark.test', caDomain: 'letsencrypt.org' };
const KEY = 'MIIBkey';

const DKIM = 'wm202601._domainkey.brand.test';
const RETURN_PATH = 'send.brand.test';
const DMARC = '_dmarc.brand.test';

function host(id: number, hostname: string, status: TrackingHost['status'], verifiedAt: number | null = null): TrackingHost {
  return { id, domainId: 'd1', projectId: 'p1', hostname, status, createdAt: T0, verifiedAt, deletedAt: null };
}

function domain(over: Partial<Domain> = {}): Domain {
  return {
    id: 'd1',
    projectId: 'p1',
    name: 'brand.test',
    returnPath: 'send',
    openTracking: false,
    clickTracking: true,
    trapLink: false,
    aggregateOnly: false,
    tls: 'opportunistic',
    dkimSelector: 'wm202601',
    dkimPublicKey: KEY,
    dkimPrivateKeySealed: 'sealed',
    trackingSubdomain: null,
    trackingSubdomainSetAt: null,
    activeHostId: null,
    status: 'not_started',
    records: [],
    verificationStartedAt: null,
    lastCheckedAt: null,
    nextCheckAt: null,
    version: 3,
    createdAt: T0,
    updatedAt: T0,
    hosts: [],
    ...over,
  };
}

/** A domain with a tracking subdomain, verification started at T0, as the last check left it. */
function withTracking(sub: string, over: Partial<Domain> = {}): Domain {
  const d = domain({ trackingSubdomain: sub, trackingSubdomainSetAt: T0, verificationStartedAt: T0, ...over });
  return { ...d, records: reconcileRecords(d, TARGETS, T0) };
}

const ok = <T>(records: T[]): DnsAnswer<T> => ({ ok: true, records });
const NXDOMAIN: DnsAnswer<never> = { ok: false, failure: 'nxdomain' };
const TIMEOUT: DnsAnswer<never> = { ok: false, failure: 'timeout' };
const toTarget: CnameWalk = { chain: [TARGETS.trackingCnameTarget], end: null };
const noCname: CnameWalk = { chain: [], end: NXDOMAIN };
const cnameTimeout: CnameWalk = { chain: [], end: TIMEOUT };
const noCaa: CaaSearchResult = { kind: 'none' };

interface Zone {
  dkim?: DnsAnswer<string>;
  spf?: DnsAnswer<string>;
  mx?: DnsAnswer<MxRecord>;
  dmarc?: DnsAnswer<string>;
  cname?: Record<string, CnameWalk>;
  caa?: Record<string, CaaSearchResult>;
}

/** Every sending record published, unless `zone` says otherwise. */
function answers(zone: Zone = {}): DnsAnswers {
  return {
    txt: new Map([
      [DKIM, zone.dkim ?? ok([dkimRecordValue(KEY)])],
      [RETURN_PATH, zone.spf ?? ok([`v=spf1 include:${TARGETS.spfInclude} ~all`])],
      [DMARC, zone.dmarc ?? ok(['v=DMARC1; p=none;'])],
    ]),
    mx: new Map([[RETURN_PATH, zone.mx ?? ok([{ exchange: TARGETS.mxHost, priority: 10 }])]]),
    cname: new Map(Object.entries(zone.cname ?? {})),
    caa: new Map(Object.entries(zone.caa ?? {})),
  };
}

const check = (d: Domain, zone: Zone, at = T0 + 60_000, restart = false) => applyCheck(d, answers(zone), at, TARGETS, DEFAULT_TIMING, { restart });
const row = (d: Domain, kind: DomainRecord['record']) => d.records.find((r) => r.record === kind);

describe('applyCheck: sending records', () => {
  it('a restart makes every record pending, and records found are verified with the schedule set', () => {
    const d = domain();
    d.records = reconcileRecords(d, TARGETS, T0);
    expect(d.records.every((r) => r.status === 'not_started')).toBe(true);
    const { domain: after, hostUpdates } = check(d, {}, T0, true);
    expect(after.verificationStartedAt).toBe(T0);
    expect(after.records.map((r) => [r.record, r.status])).toEqual([
      ['DKIM', 'verified'],
      ['SPF', 'verified'],
      ['MX', 'verified'],
      ['DMARC', 'verified'],
    ]);
    expect(after).toMatchObject({ status: 'verified', lastCheckedAt: T0, updatedAt: T0, nextCheckAt: T0 + DEFAULT_TIMING.recheckVerifiedMs, version: 3 });
    expect(hostUpdates).toEqual([]);
  });

  it('a scheduled check does not look at records whose verification never started', () => {
    const d = domain();
    d.records = reconcileRecords(d, TARGETS, T0);
    expect(checkQuestions(d, TARGETS, T0)).toEqual({ txt: [], mx: [], cname: [], caa: [] });
    const { domain: after } = applyCheck(d, { txt: new Map(), mx: new Map(), cname: new Map(), caa: new Map() }, T0, TARGETS, DEFAULT_TIMING);
    expect(after.records).toEqual(d.records);
    expect(after).toMatchObject({ status: 'not_started', nextCheckAt: null, lastCheckedAt: T0 });
  });

  it('a failed lookup keeps what was known, with the reason', () => {
    const verified = check(withTracking('links', { hosts: [host(1, 'links.brand.test', 'pending')] }), { cname: { 'links.brand.test': toTarget }, caa: { 'links.brand.test': noCaa } }).domain;
    expect(verified.status).toBe('verified');
    const { domain: after, hostUpdates } = check(
      verified,
      { dkim: TIMEOUT, mx: { ok: false, failure: 'servfail' }, cname: { 'links.brand.test': cnameTimeout }, caa: { 'links.brand.test': { kind: 'lookup_failed', at: 'brand.test', failure: 'timeout' } } },
      T0 + 2 * H,
    );
    expect(row(after, 'DKIM')).toMatchObject({ status: 'verified', problem: 'timeout', found: row(verified, 'DKIM')!.found, checkedAt: T0 + 2 * H });
    expect(row(after, 'MX')).toMatchObject({ status: 'verified', problem: 'servfail' });
    expect(row(after, 'Tracking')).toMatchObject({ status: 'verified', problem: 'timeout', found: [TARGETS.trackingCnameTarget] });
    expect(row(after, 'CAA')).toBeUndefined();
    expect(after.status).toBe('verified');
    expect(after.activeHostId).toBe(1);
    expect(hostUpdates).toEqual([]);
  });

  it('asks for an answer it was not given: a bug, not a missing record', () => {
    const d = withTracking('links', { hosts: [host(1, 'links.brand.test', 'pending')] });
    expect(() => check(d, { caa: { 'links.brand.test': noCaa } })).toThrow(/no CNAME answer for links\.brand\.test/);
  });
});

describe('applyCheck: the tracking host', () => {
  it('a verified CNAME, with the DKIM record, makes the host verified and active', () => {
    const d = withTracking('links', { hosts: [host(1, 'links.brand.test', 'pending')] });
    expect(checkQuestions(d, TARGETS, T0)).toEqual({ txt: [DKIM, RETURN_PATH, DMARC], mx: [RETURN_PATH], cname: ['links.brand.test'], caa: ['links.brand.test'] });
    const at = T0 + 60_000;
    const { domain: after, hostUpdates } = check(d, { cname: { 'links.brand.test': toTarget }, caa: { 'links.brand.test': noCaa } }, at);
    expect(row(after, 'Tracking')).toMatchObject({ status: 'verified', found: [TARGETS.trackingCnameTarget], verifiedAt: at });
    expect(after.status).toBe('verified');
    expect(after.activeHostId).toBe(1);
    expect(hostUpdates).toEqual([{ id: 1, status: 'verified', verifiedAt: at }]);
    expect(after.hosts).toEqual([host(1, 'links.brand.test', 'verified', at)]);
    expect(currentHost(after)?.id).toBe(1);
  });

  it('without the DKIM record the CNAME proves nothing: the host stays pending and inactive', () => {
    const d = withTracking('links', { hosts: [host(1, 'links.brand.test', 'not_verified')] });
    const { domain: after, hostUpdates } = check(d, { dkim: NXDOMAIN, cname: { 'links.brand.test': toTarget }, caa: { 'links.brand.test': noCaa } });
    expect(row(after, 'Tracking')?.status).toBe('verified');
    expect(after.activeHostId).toBeNull();
    expect(hostUpdates).toEqual([{ id: 1, status: 'pending', verifiedAt: null }]);
  });

  it('a CNAME through another alias to ours counts; one elsewhere is a mismatch showing what was found', () => {
    const d = withTracking('links', { hosts: [host(1, 'links.brand.test', 'pending')] });
    const chained = check(d, { cname: { 'links.brand.test': { chain: ['cdn.example', TARGETS.trackingCnameTarget], end: null } }, caa: { 'links.brand.test': noCaa } });
    expect(row(chained.domain, 'Tracking')).toMatchObject({ status: 'verified', found: ['cdn.example', TARGETS.trackingCnameTarget] });
    const wrong = check(d, { cname: { 'links.brand.test': { chain: ['elsewhere.example'], end: NXDOMAIN } }, caa: { 'links.brand.test': noCaa } });
    expect(row(wrong.domain, 'Tracking')).toMatchObject({ status: 'pending', problem: 'mismatch', found: ['elsewhere.example'] });
    expect(wrong.domain.status).toBe('partially_verified');
    expect(wrong.domain.activeHostId).toBeNull();
  });
});

describe('applyCheck: CAA', () => {
  const forbidding: CaaSearchResult = { kind: 'found', owner: 'brand.test', records: [{ flags: 0, tag: 'issue', value: 'pki.goog' } satisfies CaaRecord] };

  it('a CAA set that keeps the CA out adds a pending CAA row at the set that governs', () => {
    const d = withTracking('links', { hosts: [host(1, 'links.brand.test', 'pending')] });
    const at = T0 + 60_000;
    const { domain: after, hostUpdates } = check(d, { cname: { 'links.brand.test': toTarget }, caa: { 'links.brand.test': forbidding } }, at);
    expect(row(after, 'CAA')).toMatchObject({
      type: 'CAA',
      name: 'brand.test',
      value: '0 issue "letsencrypt.org"',
      status: 'pending',
      problem: 'ca_not_allowed',
      found: ['0 issue "pki.goog"'],
      missingSince: at,
    });
    expect(after.status).toBe('partially_verified');
    expect(after.activeHostId).toBeNull();
    expect(hostUpdates).toEqual([]);
  });

  it('on a host already verified it is a temporary failure; the host stays active, pending', () => {
    const verified = check(withTracking('links', { hosts: [host(1, 'links.brand.test', 'pending')] }), { cname: { 'links.brand.test': toTarget }, caa: { 'links.brand.test': noCaa } }).domain;
    const at = T0 + 25 * H;
    const { domain: after, hostUpdates } = check(verified, { cname: { 'links.brand.test': toTarget }, caa: { 'links.brand.test': forbidding } }, at);
    expect(row(after, 'CAA')).toMatchObject({ status: 'temporary_failure', missingSince: at, problem: 'ca_not_allowed' });
    expect(after.status).toBe('temporary_failure');
    expect(after.activeHostId).toBe(1);
    expect(hostUpdates).toEqual([{ id: 1, status: 'pending', verifiedAt: T0 + 60_000 }]);
  });

  it('a critical unknown tag asks for its removal; allowing the CA again clears the row', () => {
    const d = withTracking('links', { hosts: [host(1, 'links.brand.test', 'pending')] });
    const critical: CaaSearchResult = { kind: 'found', owner: 'links.brand.test', records: [{ flags: 128, tag: 'tbs', value: 'x' }] };
    const blocked = check(d, { cname: { 'links.brand.test': toTarget }, caa: { 'links.brand.test': critical } }).domain;
    expect(row(blocked, 'CAA')).toMatchObject({ name: 'links.brand.test', value: 'remove the critical "tbs" property', problem: 'critical_unknown_tag', found: ['128 tbs "x"'] });
    // The row is carried into the next check, which drops it once the CA may issue.
    const allowing: CaaSearchResult = { kind: 'found', owner: 'brand.test', records: [{ flags: 0, tag: 'issue', value: 'letsencrypt.org' }] };
    const cleared = check(blocked, { cname: { 'links.brand.test': toTarget }, caa: { 'links.brand.test': allowing } }, T0 + H).domain;
    expect(row(cleared, 'CAA')).toBeUndefined();
    expect(cleared.status).toBe('verified');
    expect(cleared.activeHostId).toBe(1);
  });

  it('a failed CAA search keeps a known CAA row as it was, with the reason', () => {
    const d = withTracking('links', { hosts: [host(1, 'links.brand.test', 'pending')] });
    const blocked = check(d, { cname: { 'links.brand.test': toTarget }, caa: { 'links.brand.test': forbidding } }).domain;
    const failed: CaaSearchResult = { kind: 'lookup_failed', at: 'brand.test', failure: 'servfail' };
    const after = check(blocked, { cname: { 'links.brand.test': toTarget }, caa: { 'links.brand.test': failed } }, T0 + H).domain;
    expect(row(after, 'CAA')).toMatchObject({ ...row(blocked, 'CAA'), problem: 'servfail', checkedAt: T0 + H });
  });
});

describe('applyCheck: a changed tracking subdomain', () => {
  /** "links" verified and active; the subdomain then changed to "go", as update() leaves it. */
  function changed(): Domain {
    const links = check(withTracking('links', { hosts: [host(1, 'links.brand.test', 'pending')] }), { cname: { 'links.brand.test': toTarget }, caa: { 'links.brand.test': noCaa } }).domain;
    const go = { ...links, trackingSubdomain: 'go', trackingSubdomainSetAt: T0 + 25 * H, hosts: [...links.hosts, host(2, 'go.brand.test', 'pending')] };
    return { ...go, records: reconcileRecords({ ...go, records: links.records.filter((r) => r.record !== 'Tracking' && r.record !== 'CAA') }, TARGETS, T0 + 25 * H) };
  }

  it('asks about the old active host too', () => {
    expect(checkQuestions(changed(), TARGETS, T0 + 26 * H).cname).toEqual(['go.brand.test', 'links.brand.test']);
  });

  it('keeps the old active host until the new one verifies', () => {
    const d = changed();
    const waiting = check(d, { cname: { 'go.brand.test': noCname, 'links.brand.test': toTarget }, caa: { 'go.brand.test': noCaa } }, T0 + 26 * H);
    expect(waiting.domain.activeHostId).toBe(1);
    expect(waiting.domain.status).toBe('partially_verified');
    expect(waiting.hostUpdates).toEqual([]);

    const at = T0 + 27 * H;
    const verified = check(waiting.domain, { cname: { 'go.brand.test': toTarget, 'links.brand.test': noCname }, caa: { 'go.brand.test': noCaa } }, at);
    expect(verified.domain.activeHostId).toBe(2);
    // The old host is no longer the active one, so its CNAME no longer matters.
    expect(verified.hostUpdates).toEqual([{ id: 2, status: 'verified', verifiedAt: at }]);
    expect(verified.domain.hosts.map((h) => [h.id, h.status])).toEqual([
      [1, 'verified'],
      [2, 'verified'],
    ]);
  });

  it('an old active host whose CNAME is gone is not verified any more, but stays active until the new one verifies', () => {
    const d = changed();
    const gone = check(d, { cname: { 'go.brand.test': noCname, 'links.brand.test': noCname }, caa: { 'go.brand.test': noCaa } }, T0 + 26 * H);
    expect(gone.domain.activeHostId).toBe(1);
    expect(gone.hostUpdates).toEqual([{ id: 1, status: 'not_verified', verifiedAt: T0 + 60_000 }]);
    // An inconclusive lookup changes nothing; the CNAME back makes it verified again.
    expect(check(gone.domain, { cname: { 'go.brand.test': noCname, 'links.brand.test': cnameTimeout }, caa: { 'go.brand.test': noCaa } }, T0 + 27 * H).hostUpdates).toEqual([]);
    expect(check(gone.domain, { cname: { 'go.brand.test': noCname, 'links.brand.test': toTarget }, caa: { 'go.brand.test': noCaa } }, T0 + 27 * H).hostUpdates).toEqual([
      { id: 1, status: 'verified', verifiedAt: T0 + 60_000 },
    ]);
  });
});

describe('reconcileRecords', () => {
  it('keeps what checks found while a record stays the same, and carries CAA rows only with a tracking host', () => {
    const d = withTracking('links', { hosts: [host(1, 'links.brand.test', 'pending')] });
    const blocked = check(d, {
      cname: { 'links.brand.test': toTarget },
      caa: { 'links.brand.test': { kind: 'found', owner: 'brand.test', records: [{ flags: 0, tag: 'issue', value: 'pki.goog' }] } },
    }).domain;
    expect(reconcileRecords(blocked, TARGETS, T0 + H)).toEqual(blocked.records);
    // Another MX host: a new record, pending from now.
    const moved = reconcileRecords(blocked, { ...TARGETS, mxHost: 'mx2.waymark.test' }, T0 + H);
    expect(moved.find((r) => r.record === 'MX')).toMatchObject({ value: 'mx2.waymark.test', status: 'pending', missingSince: T0 + H, found: [] });
    expect(reconcileRecords({ ...blocked, trackingSubdomain: null }, TARGETS, T0 + H).some((r) => r.record === 'CAA' || r.record === 'Tracking')).toBe(false);
  });
});
