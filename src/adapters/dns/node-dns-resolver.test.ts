import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SERVFAIL_ZONE,
  type TestDnsServer,
  type ZoneRecord,
  startDnsServer,
  startSilentUdpServer,
} from '../../../test/support/dns-server.js';
import { NodeDnsResolver, checkDnsServer, normaliseDnsName, parseDnsServers } from './node-dns-resolver.js';

/** A 2048-bit DKIM key record: 410 characters, served as two character-strings (255 + 155). */
const DKIM =
  'v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdx' +
  'ykkJ0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmwIDAQAB';

describe('NodeDnsResolver against a real authoritative server (Knot)', () => {
  let server: TestDnsServer;
  let dns: NodeDnsResolver;

  beforeAll(async () => {
    server = await startDnsServer();
    dns = new NodeDnsResolver({ servers: [server.address], timeoutMs: 1000, tries: 1 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const serve = (records: ZoneRecord[]) => server.setRecords(records);

  it('reads TXT records, joining a long value split into 255-byte strings back exactly', async () => {
    expect(DKIM.length).toBeGreaterThan(255);
    // Multibyte characters around the 255-byte boundary, quotes, backslashes and semicolons.
    const utf8 = 'é'.repeat(200) + ' "quoted" back\\slash; ünïcødé ✓';
    expect(Buffer.byteLength(utf8)).toBeGreaterThan(255);
    await serve([
      { name: 'sel._domainkey.example.test', type: 'TXT', value: DKIM },
      { name: 'multi.example.test', type: 'TXT', value: 'waymark-verify=abc123' },
      { name: 'multi.example.test', type: 'TXT', value: 'v=spf1 -all' },
      { name: 'utf8.example.test', type: 'TXT', value: utf8 },
      { name: 'empty.example.test', type: 'TXT', value: '' },
    ]);
    expect(await dns.txt('sel._domainkey.example.test')).toEqual({ ok: true, records: [DKIM] });
    const multi = await dns.txt('multi.example.test');
    expect(multi.ok && [...multi.records].sort()).toEqual(['v=spf1 -all', 'waymark-verify=abc123']);
    expect(await dns.txt('utf8.example.test')).toEqual({ ok: true, records: [utf8] });
    expect(await dns.txt('empty.example.test')).toEqual({ ok: true, records: [''] });
  });

  it('reads one CNAME hop, normalised, without following it', async () => {
    await serve([
      { name: 'links.example.test', type: 'CNAME', value: 'Track.Waymark.TEST' },
      { name: 'track.waymark.test', type: 'CNAME', value: 'edge.waymark.test' },
      { name: 'edge.waymark.test', type: 'A', value: '192.0.2.1' },
      { name: 'idn.example.test', type: 'CNAME', value: 'xn--bcher-kva.test' },
    ]);
    expect(await dns.cname('links.example.test')).toEqual({ ok: true, records: ['track.waymark.test'] });
    expect(await dns.cname('idn.example.test')).toEqual({ ok: true, records: ['xn--bcher-kva.test'] });
    expect(await dns.cname('edge.waymark.test')).toEqual({ ok: false, failure: 'nodata' });
  });

  it('reads MX records, normalised', async () => {
    await serve([
      { name: 'example.test', type: 'MX', value: '10 MX1.Waymark.test' },
      { name: 'example.test', type: 'MX', value: '20 mx2.waymark.test' },
      { name: 'nullmx.example.test', type: 'MX', value: '0 .' },
    ]);
    const mx = await dns.mx('example.test');
    expect(mx.ok && [...mx.records].sort((a, b) => a.priority - b.priority)).toEqual([
      { exchange: 'mx1.waymark.test', priority: 10 },
      { exchange: 'mx2.waymark.test', priority: 20 },
    ]);
    // RFC 7505 null MX: the root, which normalises to ''.
    expect(await dns.mx('nullmx.example.test')).toEqual({ ok: true, records: [{ exchange: '', priority: 0 }] });
  });

  it('reads CAA records: issue, issuewild, iodef, a critical unknown tag, flags and tag case', async () => {
    await serve([
      { name: 'example.test', type: 'CAA', value: '0 issue "letsencrypt.org"' },
      { name: 'example.test', type: 'CAA', value: '0 issuewild ";"' },
      { name: 'example.test', type: 'CAA', value: '0 iodef "mailto:security@example.test"' },
      { name: 'example.test', type: 'CAA', value: '128 tbs "Unknown"' },
      { name: 'example.test', type: 'CAA', value: '0 IssueWild "pki.goog; cansignhttpexchanges=yes"' },
      { name: 'critical.example.test', type: 'CAA', value: '128 issue "ca.example"' },
      { name: 'alias.example.test', type: 'CNAME', value: 'critical.example.test' },
    ]);
    const caa = await dns.caa('example.test');
    expect(caa.ok).toBe(true);
    const sorted = caa.ok ? [...caa.records].sort((a, b) => (a.tag + a.value).localeCompare(b.tag + b.value)) : [];
    expect(sorted).toEqual([
      { flags: 0, tag: 'iodef', value: 'mailto:security@example.test' },
      { flags: 0, tag: 'issue', value: 'letsencrypt.org' },
      { flags: 0, tag: 'issuewild', value: ';' },
      { flags: 0, tag: 'issuewild', value: 'pki.goog; cansignhttpexchanges=yes' },
      { flags: 128, tag: 'tbs', value: 'Unknown' },
    ]);
    expect(await dns.caa('critical.example.test')).toEqual({ ok: true, records: [{ flags: 128, tag: 'issue', value: 'ca.example' }] });
    // The server follows a CNAME for CAA as for any other type.
    expect(await dns.caa('alias.example.test')).toEqual({ ok: true, records: [{ flags: 128, tag: 'issue', value: 'ca.example' }] });
    expect(await dns.caa('nocaa.example.test')).toEqual({ ok: false, failure: 'nxdomain' });
  });

  it('reports the CAA answers node cannot read as errors, not as records', async () => {
    await serve([
      // RFC 8659 allows an empty value; c-ares (node 20) rejects the whole answer.
      { name: 'empty.example.test', type: 'CAA', value: '0 issue ""' },
      { name: 'empty.example.test', type: 'CAA', value: '0 issue "letsencrypt.org"' },
      // Node puts the tag as a key beside `critical`; a tag named "critical" overwrites the flags.
      { name: 'clash.example.test', type: 'CAA', value: '0 critical "x"' },
    ]);
    const empty = await dns.caa('empty.example.test');
    expect(empty).toMatchObject({ ok: false, failure: 'error' });
    expect(!empty.ok && empty.detail).toMatch(/^EBADRESP/);
    const clash = await dns.caa('clash.example.test');
    expect(clash).toMatchObject({ ok: false, failure: 'error' });
    expect(!clash.ok && clash.detail).toMatch(/unreadable CAA record/);
  });

  it('tells NXDOMAIN from NODATA', async () => {
    await serve([{ name: 'a.example.test', type: 'A', value: '192.0.2.1' }]);
    expect(await dns.txt('missing.example.test')).toEqual({ ok: false, failure: 'nxdomain' });
    expect(await dns.txt('a.example.test')).toEqual({ ok: false, failure: 'nodata' });
    expect(await dns.cname('a.example.test')).toEqual({ ok: false, failure: 'nodata' });
    expect(await dns.mx('a.example.test')).toEqual({ ok: false, failure: 'nodata' });
    expect(await dns.caa('a.example.test')).toEqual({ ok: false, failure: 'nodata' });
    // An empty non-terminal exists: NODATA, not NXDOMAIN.
    expect(await dns.txt('example.test')).toEqual({ ok: false, failure: 'nodata' });
  });

  it('reports SERVFAIL for a zone the server could not load', async () => {
    expect(await dns.txt(`x.${SERVFAIL_ZONE}`)).toEqual({ ok: false, failure: 'servfail' });
    expect(await dns.caa(SERVFAIL_ZONE)).toEqual({ ok: false, failure: 'servfail' });
  });

  it('reports REFUSED for a name in no zone the server serves', async () => {
    expect(await dns.txt('example.com')).toEqual({ ok: false, failure: 'refused' });
  });

  it('shows setRecords changes as soon as it resolves: add, change, remove', async () => {
    const name = 'verify.example.test';
    await serve([]);
    expect(await dns.txt(name)).toEqual({ ok: false, failure: 'nxdomain' });
    await serve([{ name, type: 'TXT', value: 'token-1' }]);
    expect(await dns.txt(name)).toEqual({ ok: true, records: ['token-1'] });
    await serve([{ name, type: 'TXT', value: 'token-2' }]);
    expect(await dns.txt(name)).toEqual({ ok: true, records: ['token-2'] });
    await serve([{ name, type: 'A', value: '192.0.2.7' }]);
    expect(await dns.txt(name)).toEqual({ ok: false, failure: 'nodata' });
    await serve([]);
    expect(await dns.txt(name)).toEqual({ ok: false, failure: 'nxdomain' });
  });

  it('rejects a zone the server cannot load, keeping the previous one', async () => {
    await serve([{ name: 'kept.example.test', type: 'TXT', value: 'kept' }]);
    await expect(serve([{ name: 'bad.example.test', type: 'CAA', value: '0 issue "unterminated' }])).rejects.toThrow(/zone-reload failed/);
    expect(await dns.txt('kept.example.test')).toEqual({ ok: true, records: ['kept'] });
    await expect(serve([{ name: 'elsewhere.example', type: 'TXT', value: 'x' }])).rejects.toThrow(/not in the zone/);
  });
});

describe('NodeDnsResolver failures without a working server', () => {
  it('times out against a server that never answers', async () => {
    const silent = await startSilentUdpServer();
    try {
      const dns = new NodeDnsResolver({ servers: [silent.address], timeoutMs: 100, tries: 1 });
      const started = Date.now();
      expect(await dns.txt('example.test')).toEqual({ ok: false, failure: 'timeout' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await silent.stop();
    }
  });

  it('reports anything else as error, with the code as detail', async () => {
    // A closed UDP port on loopback answers with ICMP port unreachable.
    const silent = await startSilentUdpServer();
    const address = silent.address;
    await silent.stop();
    const dns = new NodeDnsResolver({ servers: [address], timeoutMs: 500, tries: 1 });
    expect(await dns.txt('example.test')).toEqual({ ok: false, failure: 'error', detail: 'ECONNREFUSED' });
  });

  it('validates its options', () => {
    expect(() => new NodeDnsResolver({ servers: ['192.0.2.1:0'] })).toThrow(/out of range/);
    expect(() => new NodeDnsResolver({ servers: ['dns.example'] })).toThrow(/not an IP address/);
    expect(() => new NodeDnsResolver({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => new NodeDnsResolver({ tries: 0 })).toThrow(/tries/);
    expect(new NodeDnsResolver({ servers: ['192.0.2.1', '[2001:db8::1]:5353'] }).servers()).toEqual(['192.0.2.1', '[2001:db8::1]:5353']);
    // No servers: the system's.
    expect(new NodeDnsResolver({ servers: [] }).servers()).toEqual(new NodeDnsResolver().servers());
  });
});

describe('parseDnsServers', () => {
  it('accepts IPv4 and IPv6 addresses with optional ports', () => {
    expect(parseDnsServers('192.0.2.53')).toEqual(['192.0.2.53']);
    expect(parseDnsServers(' 192.0.2.53:5353 , 2001:db8::53,[2001:db8::54]:53, [::1] ')).toEqual([
      '192.0.2.53:5353',
      '2001:db8::53',
      '[2001:db8::54]:53',
      '[::1]',
    ]);
    expect(parseDnsServers('127.0.0.1:65535')).toEqual(['127.0.0.1:65535']);
  });

  it('gives [] (the system servers) for an empty value', () => {
    expect(parseDnsServers('')).toEqual([]);
    expect(parseDnsServers('   ')).toEqual([]);
  });

  it.each([
    ['dns.example', /not an IP address/],
    ['localhost:53', /not an IP address/],
    ['192.0.2.1:', /port "" is not a number/],
    ['192.0.2.1:+53', /not a number/],
    ['192.0.2.1:0', /out of range/],
    ['192.0.2.1:65536', /out of range/],
    ['192.0.2.1:99999', /out of range/],
    ['192.0.2.256', /not an IP address/],
    ['[192.0.2.1]:53', /only an IPv6 address goes in brackets/],
    ['2001:db8::1:53', null], // a valid IPv6 address, not address:port
    ['[2001:db8::1]:x', /not a number/],
    ['[2001:db8::1', /not an IP address/],
    ['fe80::1%eth0', /zone id/],
    ['192.0.2.1,,192.0.2.2', /empty entry/],
    ['192.0.2.1,', /empty entry/],
    [':53', /no address/],
  ])('%s', (spec, error) => {
    if (error === null) expect(parseDnsServers(spec)).toEqual([spec]);
    else expect(() => parseDnsServers(spec)).toThrow(error);
  });

  it('names the bad entry and the accepted forms', () => {
    expect(() => parseDnsServers('192.0.2.1, dns.example')).toThrow('invalid DNS server " dns.example"');
    expect(() => checkDnsServer('x')).toThrow(/expected an IP address with an optional port/);
  });
});

describe('normaliseDnsName', () => {
  it('lowercases, drops the trailing dot and converts to punycode', () => {
    expect(normaliseDnsName('Track.Waymark.TEST.')).toBe('track.waymark.test');
    expect(normaliseDnsName('bücher.example.')).toBe('xn--bcher-kva.example');
    expect(normaliseDnsName('_dmarc.example.test')).toBe('_dmarc.example.test');
    expect(normaliseDnsName('.')).toBe('');
  });
});
