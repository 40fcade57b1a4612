import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { CNAME_TARGET, type DomainsHarness, HOUR, getOnHost, startDomainsHarness, trackingUrls, zoneFor } from '../../../../../test/support/domains.js';
import type { ZoneRecord } from '../../../../../test/support/dns-server.js';

const HTML = '<html><body><p><a href="https://example.com/offer?x=1">Offer</a></p></body></html>';

describe.each(backends())('tracking subdomains on %s: the rules that keep links alive', (backend) => {
  let h: DomainsHarness;
  beforeAll(async () => {
    h = await startDomainsHarness(backend);
  });
  afterAll(() => h.stop());

  async function send(from: string, tracking?: object) {
    const res = await h.s.api('POST', '/v1/emails', { from, to: 'ann@example.org', subject: 'Hi', html: HTML, ...(tracking ? { tracking } : {}) });
    expect(res.status).toBe(201);
    return (await h.s.api('GET', `/v1/emails/${res.body.id}`)).body;
  }

  async function opens(emailId: string): Promise<number> {
    return (await h.s.api('GET', `/v1/emails/${emailId}`)).body.open_count;
  }

  it('domain settings decide tracking, an email setting overrides them either way', async () => {
    const d = (await h.s.api('POST', '/v1/domains', { name: 'settings.example.test' })).body;
    expect(trackingUrls((await send('news@settings.example.test')).html).clicks).toHaveLength(0);
    await h.s.api('PATCH', `/v1/domains/${d.id}`, { open_tracking: true, click_tracking: true });
    const byDomain = await send('News <news@SETTINGS.example.test>');
    expect(trackingUrls(byDomain.html).clicks).toHaveLength(1);
    expect(trackingUrls(byDomain.html).pixel).not.toBeNull();
    const optedOut = await send('news@settings.example.test', { open: false });
    expect(trackingUrls(optedOut.html).pixel).toBeNull();
    expect(trackingUrls(optedOut.html).clicks).toHaveLength(1);
    await h.s.api('PATCH', `/v1/domains/${d.id}`, { open_tracking: false, click_tracking: false });
    const optedIn = await send('news@settings.example.test', { click: true });
    expect(trackingUrls(optedIn.html).clicks).toHaveLength(1);
    expect(trackingUrls(optedIn.html).pixel).toBeNull();
    // Another domain's settings do not apply; without a verified host, links use the default tracking URL.
    expect(trackingUrls(optedIn.html).clicks[0]).toMatch(`http://${CNAME_TARGET}/v1/track/click/`);
  });

  it('a tracking host is used once verified; a new one only once it verifies; old hosts keep routing', async () => {
    const created = (await h.s.api('POST', '/v1/domains', { name: 'brand.example.test', open_tracking: true, click_tracking: true })).body;
    const set = await h.s.api('PATCH', `/v1/domains/${created.id}`, { tracking_subdomain: 'links' });
    expect(set.status).toBe(200);
    expect(set.body.tracking_hosts).toEqual([expect.objectContaining({ hostname: 'links.brand.example.test', status: 'pending', active: false, serving: false })]);
    expect(set.body.records.find((r: any) => r.record === 'Tracking')).toMatchObject({ type: 'CNAME', name: 'links.brand.example.test', value: CNAME_TARGET, status: 'pending' });
    expect(set.body.status).toBe('pending');

    // Before verification: the default tracking URL, and the TLS check says no.
    const early = await send('news@brand.example.test');
    expect(trackingUrls(early.html).clicks[0]).toMatch(`http://${CNAME_TARGET}/`);
    expect((await getOnHost(h.s, `${h.s.baseUrl}/v1/tls/ask?domain=links.brand.example.test`)).status).toBe(404);

    const zone: ZoneRecord[] = [...zoneFor(set.body)];
    await h.dns.setRecords(zone);
    const verified = (await h.s.api('POST', `/v1/domains/${created.id}/verify`)).body;
    expect(verified.status).toBe('verified');
    expect(verified.tracking_status).toBe('verified');
    expect(verified.tracking_host).toBe('links.brand.example.test');
    expect((await getOnHost(h.s, `${h.s.baseUrl}/v1/tls/ask?domain=links.brand.example.test`)).status).toBe(200);

    const onLinks = await send('news@brand.example.test');
    const linksUrls = trackingUrls(onLinks.html);
    expect(linksUrls.clicks[0]).toMatch(/^https:\/\/links\.brand\.example\.test\/v1\/track\/click\//);
    expect(linksUrls.pixel).toMatch(/^https:\/\/links\.brand\.example\.test\/v1\/track\/open\//);
    const click = await getOnHost(h.s, linksUrls.clicks[0]!);
    expect(click.status).toBe(302);
    expect(click.headers.location).toBe('https://example.com/offer?x=1');
    expect((await getOnHost(h.s, linksUrls.pixel!)).status).toBe(200);
    expect(await opens(onLinks.id)).toBe(1);

    // Change to "go": allowed after 24 h; until go verifies, new mail stays on links.
    h.clock.advance(24 * HOUR + 1000);
    const changed = (await h.s.api('PATCH', `/v1/domains/${created.id}`, { tracking_subdomain: 'go' })).body;
    expect(changed.tracking_subdomain).toBe('go');
    expect(changed.tracking_host).toBe('links.brand.example.test');
    expect(changed.status).toBe('partially_verified');
    expect(changed.tracking_hosts).toEqual([
      expect.objectContaining({ hostname: 'links.brand.example.test', status: 'verified', active: true, serving: true }),
      expect.objectContaining({ hostname: 'go.brand.example.test', status: 'pending', active: false, serving: false }),
    ]);
    const meanwhile = await send('news@brand.example.test');
    expect(trackingUrls(meanwhile.html).clicks[0]).toMatch(/^https:\/\/links\.brand\.example\.test\//);

    await h.dns.setRecords([...zone, { name: 'go.brand.example.test', type: 'CNAME', value: CNAME_TARGET }]);
    h.clock.advance(60_000);
    await h.s.waymark.domains.checkDue();
    const after = (await h.s.api('GET', `/v1/domains/${created.id}`)).body;
    expect(after.status).toBe('verified');
    expect(after.tracking_host).toBe('go.brand.example.test');
    const onGo = await send('news@brand.example.test');
    expect(trackingUrls(onGo.html).clicks[0]).toMatch(/^https:\/\/go\.brand\.example\.test\//);

    // Mail sent on links still works, on links.
    expect((await getOnHost(h.s, linksUrls.clicks[0]!)).status).toBe(302);
    await getOnHost(h.s, linksUrls.pixel!);
    expect(await opens(onLinks.id)).toBe(2);
    expect((await getOnHost(h.s, `${h.s.baseUrl}/v1/tls/ask?domain=links.brand.example.test`)).status).toBe(200);
    expect((await getOnHost(h.s, `${h.s.baseUrl}/v1/tls/ask?domain=go.brand.example.test`)).status).toBe(200);
  });

  it('a CNAME to the wrong target shows what was found; a chain through another alias to ours counts', async () => {
    const d = (await h.s.api('POST', '/v1/domains', { name: 'alias.example.test' })).body;
    const set = (await h.s.api('PATCH', `/v1/domains/${d.id}`, { tracking_subdomain: 'click' })).body;
    const base = zoneFor({ records: set.records.filter((r: any) => r.record !== 'Tracking') });
    await h.dns.setRecords([...base, { name: 'click.alias.example.test', type: 'CNAME', value: 'elsewhere.example.test' }, { name: 'elsewhere.example.test', type: 'A', value: '192.0.2.99' }]);
    const wrong = (await h.s.api('POST', `/v1/domains/${d.id}/verify`)).body;
    expect(wrong.status).toBe('partially_verified');
    expect(wrong.sending_status).toBe('verified');
    expect(wrong.records.find((r: any) => r.record === 'Tracking')).toMatchObject({ status: 'pending', problem: 'mismatch', found: ['elsewhere.example.test'] });

    await h.dns.setRecords([...base, { name: 'click.alias.example.test', type: 'CNAME', value: 'cdn.example.test' }, { name: 'cdn.example.test', type: 'CNAME', value: CNAME_TARGET }]);
    const chained = (await h.s.api('POST', `/v1/domains/${d.id}/verify`)).body;
    expect(chained.status).toBe('verified');
    expect(chained.records.find((r: any) => r.record === 'Tracking')).toMatchObject({ status: 'verified', found: ['cdn.example.test', CNAME_TARGET] });
  });

  it('CAA that keeps our CA out is a required record at the set that governs; allowing it clears it', async () => {
    const d = (await h.s.api('POST', '/v1/domains', { name: 'caa.example.test' })).body;
    const set = (await h.s.api('PATCH', `/v1/domains/${d.id}`, { tracking_subdomain: 'links' })).body;
    const zone = zoneFor(set);
    await h.dns.setRecords([...zone, { name: 'caa.example.test', type: 'CAA', value: '0 issue "pki.goog"' }]);
    const blocked = (await h.s.api('POST', `/v1/domains/${d.id}/verify`)).body;
    expect(blocked.records.find((r: any) => r.record === 'CAA')).toMatchObject({
      type: 'CAA',
      name: 'caa.example.test',
      value: '0 issue "letsencrypt.org"',
      status: 'pending',
      problem: 'ca_not_allowed',
      found: ['0 issue "pki.goog"'],
    });
    expect(blocked.tracking_status).toBe('pending');
    expect(blocked.tracking_host).toBeNull();

    await h.dns.setRecords([...zone, { name: 'caa.example.test', type: 'CAA', value: '0 issue "pki.goog"' }, { name: 'caa.example.test', type: 'CAA', value: '0 issue "letsencrypt.org"' }]);
    const allowed = (await h.s.api('POST', `/v1/domains/${d.id}/verify`)).body;
    expect(allowed.records.some((r: any) => r.record === 'CAA')).toBe(false);
    expect(allowed.status).toBe('verified');
    expect(allowed.tracking_host).toBe('links.caa.example.test');
  });

  it('a host whose CNAME disappears stops carrying new mail, and its links keep working', async () => {
    const d = (await h.s.api('POST', '/v1/domains', { name: 'moved.example.test', click_tracking: true })).body;
    const set = (await h.s.api('PATCH', `/v1/domains/${d.id}`, { tracking_subdomain: 'links' })).body;
    await h.dns.setRecords(zoneFor(set));
    expect((await h.s.api('POST', `/v1/domains/${d.id}/verify`)).body.tracking_host).toBe('links.moved.example.test');
    const before = trackingUrls((await send('a@moved.example.test')).html).clicks[0]!;
    expect(before).toMatch(/^https:\/\/links\.moved\.example\.test\//);

    await h.dns.setRecords(zoneFor(set).filter((r) => r.type !== 'CNAME'));
    h.clock.advance(24 * HOUR);
    await h.s.waymark.domains.checkDue();
    const broken = (await h.s.api('GET', `/v1/domains/${d.id}`)).body;
    expect(broken.status).toBe('temporary_failure');
    expect(broken.tracking_hosts).toEqual([expect.objectContaining({ hostname: 'links.moved.example.test', status: 'pending', serving: true })]);
    expect(trackingUrls((await send('a@moved.example.test')).html).clicks[0]).toMatch(`http://${CNAME_TARGET}/`);
    expect((await getOnHost(h.s, before)).status).toBe(302);

    // The same for a previous host that is still the active one while a new subdomain waits.
    await h.dns.setRecords(zoneFor(set));
    h.clock.advance(HOUR);
    await h.s.waymark.domains.checkDue();
    h.clock.advance(24 * HOUR);
    await h.s.api('PATCH', `/v1/domains/${d.id}`, { tracking_subdomain: 'go' });
    expect(trackingUrls((await send('a@moved.example.test')).html).clicks[0]).toMatch(/^https:\/\/links\.moved\.example\.test\//);
    await h.dns.setRecords(zoneFor(set).filter((r) => r.type !== 'CNAME'));
    await h.s.api('POST', `/v1/domains/${d.id}/verify`);
    const hosts = (await h.s.api('GET', `/v1/domains/${d.id}`)).body.tracking_hosts;
    expect(hosts[0]).toMatchObject({ hostname: 'links.moved.example.test', status: 'not_verified', active: true, serving: true });
    expect(trackingUrls((await send('a@moved.example.test')).html).clicks[0]).toMatch(`http://${CNAME_TARGET}/`);
  });

  it("a host serves only once the domain's own DKIM record is published: the CNAME target proves nothing", async () => {
    const d = (await h.s.api('POST', '/v1/domains', { name: 'claimed.example.test', click_tracking: true })).body;
    const set = (await h.s.api('PATCH', `/v1/domains/${d.id}`, { tracking_subdomain: 'links' })).body;
    await h.dns.setRecords(zoneFor(set).filter((r) => !r.name.includes('._domainkey.')));
    const checked = (await h.s.api('POST', `/v1/domains/${d.id}/verify`)).body;
    expect(checked.tracking_status).toBe('verified');
    expect(checked.tracking_hosts).toEqual([expect.objectContaining({ status: 'pending', serving: false })]);
    expect(checked.tracking_host).toBeNull();
    expect((await getOnHost(h.s, `${h.s.baseUrl}/v1/tls/ask?domain=links.claimed.example.test`)).status).toBe(404);
    await h.dns.setRecords(zoneFor(set));
    expect((await h.s.api('POST', `/v1/domains/${d.id}/verify`)).body.tracking_host).toBe('links.claimed.example.test');
  });
});
