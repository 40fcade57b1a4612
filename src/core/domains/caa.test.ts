import { describe, expect, it } from 'vitest';
import type { CaaRecord, DnsAnswer } from '../dns.js';
import { caaDecision, caIsAuthorized, findRelevantCaaSet, parseIssueValue, type CaaSearchResult } from './caa.js';

const issue = (value: string, flags = 0): CaaRecord => ({ flags, tag: 'issue', value });
const issuewild = (value: string, flags = 0): CaaRecord => ({ flags, tag: 'issuewild', value });
const iodef = (value: string): CaaRecord => ({ flags: 0, tag: 'iodef', value });

describe('parseIssueValue (RFC 8659 §4.2)', () => {
  it.each<[string, ReturnType<typeof parseIssueValue>]>([
    ['ca.example.net', { issuer: 'ca.example.net', parameters: {} }],
    ['ca.example.net; account=230123', { issuer: 'ca.example.net', parameters: { account: '230123' } }],
    [';', { issuer: null, parameters: {} }],
    ['', { issuer: null, parameters: {} }],
    ['  ;  ', { issuer: null, parameters: {} }],
    ['CA.Example.NET', { issuer: 'ca.example.net', parameters: {} }],
    [' ca.example.net ;\taccount = 1 ; policy=ev ', { issuer: 'ca.example.net', parameters: { account: '1', policy: 'ev' } }],
    ['ca.example.net;', { issuer: 'ca.example.net', parameters: {} }],
    ['letsencrypt.org; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/1', {
      issuer: 'letsencrypt.org',
      parameters: { accounturi: 'https://acme-v02.api.letsencrypt.org/acme/acct/1' },
    }],
    ['ca.example.net; key=', { issuer: 'ca.example.net', parameters: { key: '' } }],
    ['; account=1', { issuer: null, parameters: { account: '1' } }],
  ])('%j', (value, parsed) => expect(parseIssueValue(value)).toEqual(parsed));

  it.each([
    ['two issuers', 'ca.example.net ca.example.org'],
    ['trailing dot', 'ca.example.net.'],
    ['label with a leading hyphen', '-ca.example.net'],
    ['underscore', 'ca_1.example.net'],
    ['URL', 'https://ca.example.net'],
    ['parameter without =', 'ca.example.net; account'],
    ['space inside a parameter value', 'ca.example.net; account=1 2'],
    ['trailing ; after a parameter', 'ca.example.net; account=1;'],
    ['doubled ;', 'ca.example.net;; account=1'],
  ])('%s is malformed: %j', (_, value) => expect(parseIssueValue(value)).toBeNull());
});

describe('caIsAuthorized (RFC 8659 §4)', () => {
  // The example RRset of §4, without the critical record.
  const example = [issue('ca.example.net'), issue('ca.example.net; account=230123'), iodef('mailto:security@example.com')];

  it('authorizes the named CA, and no other', () => {
    expect(caIsAuthorized(example, 'ca.example.net')).toBe(true);
    expect(caIsAuthorized(example, 'letsencrypt.org')).toBe(false);
  });

  it('compares issuer names case-insensitively', () => {
    expect(caIsAuthorized([issue('CA.Example.Net')], 'ca.example.NET')).toBe(true);
    expect(caIsAuthorized([{ flags: 0, tag: 'ISSUE', value: 'ca.example.net' }], 'ca.example.net')).toBe(true);
  });

  it('issue ";" lets no CA issue', () => {
    expect(caIsAuthorized([issue(';')], 'ca.example.net')).toBe(false);
  });

  it('an unknown critical property (128 tbs "Unknown") forbids every CA, even a named one', () => {
    expect(caIsAuthorized([...example, { flags: 128, tag: 'tbs', value: 'Unknown' }], 'ca.example.net')).toBe(false);
  });

  it('an unknown non-critical property changes nothing', () => {
    expect(caIsAuthorized([{ flags: 0, tag: 'tbs', value: 'Unknown' }], 'ca.example.net')).toBe(true);
    expect(caIsAuthorized([...example, { flags: 0, tag: 'tbs', value: 'Unknown' }], 'ca.example.net')).toBe(true);
  });

  it('critical known tags are understood, so they do not forbid issuance', () => {
    const records = [issue('ca.example.net', 128), iodef('mailto:x@example.com'), { flags: 128, tag: 'contactemail', value: 'x@example.com' }];
    expect(caIsAuthorized(records, 'ca.example.net')).toBe(true);
  });

  it('a set with only iodef does not restrict issuance', () => {
    expect(caIsAuthorized([iodef('mailto:security@example.com')], 'ca.example.net')).toBe(true);
  });

  it('an issuewild-only set restricts wildcards but not other names', () => {
    const records = [issuewild('ca.example.org')];
    expect(caIsAuthorized(records, 'ca.example.net')).toBe(true);
    expect(caIsAuthorized(records, 'ca.example.net', { wildcard: true })).toBe(false);
    expect(caIsAuthorized(records, 'ca.example.org', { wildcard: true })).toBe(true);
  });

  it('issuewild takes precedence over issue for wildcards (§4.3)', () => {
    const records = [issue('ca.example.net'), issuewild('ca.example.org')];
    expect(caIsAuthorized(records, 'ca.example.net')).toBe(true);
    expect(caIsAuthorized(records, 'ca.example.org')).toBe(false);
    expect(caIsAuthorized(records, 'ca.example.net', { wildcard: true })).toBe(false);
    expect(caIsAuthorized(records, 'ca.example.org', { wildcard: true })).toBe(true);
  });

  it('wildcards fall back to issue when there is no issuewild', () => {
    expect(caIsAuthorized([issue('ca.example.net')], 'ca.example.net', { wildcard: true })).toBe(true);
    expect(caIsAuthorized([issue('ca.example.net')], 'ca.example.org', { wildcard: true })).toBe(false);
  });

  it('a malformed value authorizes nobody but still restricts', () => {
    expect(caIsAuthorized([issue('ca.example.net ca.example.org')], 'ca.example.net')).toBe(false);
    expect(caIsAuthorized([issue('ca.example.net ca.example.org'), issue('ca.example.net')], 'ca.example.net')).toBe(true);
  });
});

type Zone = Record<string, DnsAnswer<CaaRecord>>;

/**
 * An in-memory resolver: names not listed do not exist, and a CNAME is followed as a resolver
 * would, answering for the queried name. Records which names were queried.
 */
function fakeLookup(zone: Zone, cnames: Record<string, string> = {}) {
  const queried: string[] = [];
  const lookup = async (name: string): Promise<DnsAnswer<CaaRecord>> => {
    queried.push(name);
    let target = name;
    while (cnames[target] !== undefined) target = cnames[target]!;
    return zone[target] ?? { ok: false, failure: 'nxdomain' };
  };
  return { lookup, queried };
}

const records = (...rs: CaaRecord[]): DnsAnswer<CaaRecord> => ({ ok: true, records: rs });
const nodata: DnsAnswer<CaaRecord> = { ok: false, failure: 'nodata' };
const empty: DnsAnswer<CaaRecord> = { ok: true, records: [] };

describe('findRelevantCaaSet (RFC 8659 §3)', () => {
  it('stops at a set on the name itself', async () => {
    const { lookup, queried } = fakeLookup({ 'links.example.com': records(issue('letsencrypt.org')) });
    expect(await findRelevantCaaSet('links.example.com', lookup)).toEqual({
      kind: 'found',
      owner: 'links.example.com',
      records: [issue('letsencrypt.org')],
    });
    expect(queried).toEqual(['links.example.com']);
  });

  it('climbs to the parent', async () => {
    const { lookup, queried } = fakeLookup({
      'a.links.example.com': nodata,
      'links.example.com': records(issue('ca.example.net')),
      'example.com': records(issue('letsencrypt.org')),
    });
    expect(await findRelevantCaaSet('a.links.example.com', lookup)).toMatchObject({ kind: 'found', owner: 'links.example.com' });
    expect(queried).toEqual(['a.links.example.com', 'links.example.com']);
  });

  it('climbs to the registrable domain', async () => {
    const { lookup } = fakeLookup({
      'links.example.co.uk': empty,
      'example.co.uk': records(issue('ca.example.net')),
    });
    expect(await findRelevantCaaSet('links.example.co.uk', lookup)).toMatchObject({ kind: 'found', owner: 'example.co.uk' });
  });

  it('finds nothing, having tried every level but the root', async () => {
    const { lookup, queried } = fakeLookup({ 'links.example.com': nodata, 'example.com': nodata, com: nodata });
    expect(await findRelevantCaaSet('links.example.com.', lookup)).toEqual({ kind: 'none' });
    expect(queried).toEqual(['links.example.com', 'example.com', 'com']);
  });

  it('treats NXDOMAIN at the name as empty and climbs on', async () => {
    const { lookup } = fakeLookup({ 'example.com': records(issue('letsencrypt.org')) });
    expect(await findRelevantCaaSet('Links.Example.com', lookup)).toMatchObject({ kind: 'found', owner: 'example.com' });
  });

  describe('with links.example.com CNAME edge.cdn.example', () => {
    const cnames = { 'links.example.com': 'edge.cdn.example' };
    const apex = { 'example.com': records(issue('letsencrypt.org')) };

    it("uses the target's set, under the queried name", async () => {
      const { lookup } = fakeLookup({ ...apex, 'edge.cdn.example': records(issue('ca.example.net')) }, cnames);
      expect(await findRelevantCaaSet('links.example.com', lookup)).toEqual({
        kind: 'found',
        owner: 'links.example.com',
        records: [issue('ca.example.net')],
      });
    });

    it("climbs from the queried name's parent, not the target's", async () => {
      const zone = { ...apex, 'edge.cdn.example': nodata, 'cdn.example': records(issue('ca.example.net')) };
      const { lookup, queried } = fakeLookup(zone, cnames);
      expect(await findRelevantCaaSet('links.example.com', lookup)).toMatchObject({ kind: 'found', owner: 'example.com' });
      expect(queried).toEqual(['links.example.com', 'example.com']);
    });
  });

  it.each(['servfail', 'timeout', 'refused', 'error'] as const)('stops on %s', async (failure) => {
    const { lookup, queried } = fakeLookup({
      'links.example.com': nodata,
      'example.com': { ok: false, failure, detail: 'upstream said no' },
      com: records(issue('ca.example.net')),
    });
    expect(await findRelevantCaaSet('links.example.com', lookup)).toEqual({
      kind: 'lookup_failed',
      at: 'example.com',
      failure,
      detail: 'upstream said no',
    });
    expect(queried).toEqual(['links.example.com', 'example.com']);
  });
});

describe('caaDecision', () => {
  const found = (owner: string, ...rs: CaaRecord[]): CaaSearchResult => ({ kind: 'found', owner, records: rs });

  it('no CAA anywhere: nothing to do', () => {
    expect(caaDecision({ kind: 'none' }, 'letsencrypt.org')).toEqual({ kind: 'allowed', required: false, owner: null });
  });

  it('the set already names the CA: nothing to do', () => {
    expect(caaDecision(found('example.com', issue('letsencrypt.org')), 'letsencrypt.org')).toEqual({
      kind: 'allowed',
      required: false,
      owner: 'example.com',
    });
  });

  it('the set names another CA: add an issue record at its owner', () => {
    expect(caaDecision(found('example.com', issue('ca.example.net'), issue(';')), 'LetsEncrypt.org')).toEqual({
      kind: 'record_needed',
      required: true,
      owner: 'example.com',
      record: '0 issue "letsencrypt.org"',
    });
  });

  it('a wildcard restricted by issuewild needs an issuewild record', () => {
    const search = found('example.com', issue('letsencrypt.org'), issuewild('ca.example.net'));
    expect(caaDecision(search, 'letsencrypt.org', { wildcard: true })).toMatchObject({
      kind: 'record_needed',
      record: '0 issuewild "letsencrypt.org"',
    });
  });

  it('a critical unknown property must be removed: no record would help', () => {
    const search = found('example.com', issue('letsencrypt.org'), { flags: 128, tag: 'tbs', value: 'Unknown' });
    expect(caaDecision(search, 'letsencrypt.org')).toEqual({
      kind: 'critical_unknown_tag',
      required: true,
      owner: 'example.com',
      tag: 'tbs',
    });
  });

  it('a failed lookup gives no answer', () => {
    expect(caaDecision({ kind: 'lookup_failed', at: 'example.com', failure: 'servfail' }, 'letsencrypt.org')).toEqual({
      kind: 'lookup_failed',
      required: null,
      at: 'example.com',
      failure: 'servfail',
    });
  });
});
