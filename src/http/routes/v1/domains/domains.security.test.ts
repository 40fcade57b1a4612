import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CNAME_TARGET, type DomainsHarness, getOnHost, startDomainsHarness, trackingUrls, zoneFor } from '../../../../../test/support/domains.js';
import { PIXEL_GIF } from '../../../../http/tracking-handler.js';
import { systemClock } from '../../../../ports/clock.js';
import { createProject } from '../../../../services/projects.js';

const HTML = '<html><body><a href="https://example.com/a">A</a></body></html>';

describe('domains belong to a project, and tokens to the host that minted them', () => {
  let h: DomainsHarness;
  let otherKey: string;
  let memberKey: string;
  let brandId: string;
  let brandEmail: { id: string; clicks: string[]; pixel: string };
  let defaultEmail: { id: string; clicks: string[]; pixel: string };
  let otherEmail: { id: string; clicks: string[]; pixel: string };

  async function send(from: string, key?: string) {
    const headers = key ? { authorization: `Bearer ${key}` } : ({} as Record<string, string>);
    const id = (await h.s.api('POST', '/v1/emails', { from, to: 'ann@example.org', subject: 's', html: HTML, tracking: { open: true, click: true } }, headers)).body.id;
    const html = (await h.s.api('GET', `/v1/emails/${id}`, undefined, headers)).body.html;
    const urls = trackingUrls(html);
    return { id, clicks: urls.clicks, pixel: urls.pixel! };
  }

  async function verifiedDomain(name: string, key?: string) {
    const headers = key ? { authorization: `Bearer ${key}` } : ({} as Record<string, string>);
    const d = (await h.s.api('POST', '/v1/domains', { name }, headers)).body;
    const set = (await h.s.api('PATCH', `/v1/domains/${d.id}`, { tracking_subdomain: 'links' }, headers)).body;
    return { id: d.id as string, zone: zoneFor(set) };
  }

  beforeAll(async () => {
    h = await startDomainsHarness();
    const other = await createProject(h.s.waymark.store, systemClock, 'Other team');
    otherKey = (await h.s.waymark.apiKeys.issue(other.id, 'other admin', 'admin')).secret;
    memberKey = (await h.s.api('POST', '/v1/api-keys', { name: 'member', role: 'member' })).body.key;
    const brand = await verifiedDomain('brand.example.test');
    const rival = await verifiedDomain('rival.example.test', otherKey);
    await h.dns.setRecords([...brand.zone, ...rival.zone]);
    await h.s.api('POST', `/v1/domains/${brand.id}/verify`);
    await h.s.api('POST', `/v1/domains/${rival.id}/verify`, undefined, { authorization: `Bearer ${otherKey}` });
    brandId = brand.id;
    brandEmail = await send('a@brand.example.test');
    defaultEmail = await send('a@nodomain.example.test');
    otherEmail = await send('a@rival.example.test', otherKey);
    expect(brandEmail.clicks[0]).toMatch(/^https:\/\/links\.brand\.example\.test\//);
    expect(otherEmail.clicks[0]).toMatch(/^https:\/\/links\.rival\.example\.test\//);
    expect(defaultEmail.clicks[0]).toMatch(`http://${CNAME_TARGET}/`);
  });
  afterAll(() => h.stop());

  const counts = async (id: string, key?: string) => {
    const e = (await h.s.api('GET', `/v1/emails/${id}`, undefined, key ? { authorization: `Bearer ${key}` } : ({} as Record<string, string>))).body;
    return [e.open_count, e.click_count];
  };

  it("answers 404, never 403, for another project's domain, and hides it from lists", async () => {
    const as = { authorization: `Bearer ${otherKey}` };
    for (const [method, path] of [
      ['GET', `/v1/domains/${brandId}`],
      ['PATCH', `/v1/domains/${brandId}`],
      ['POST', `/v1/domains/${brandId}/verify`],
      ['DELETE', `/v1/domains/${brandId}?force=true`],
    ] as const) {
      expect((await h.s.api(method, path, method === 'PATCH' ? { open_tracking: true } : undefined, as)).status, `${method} ${path}`).toBe(404);
    }
    expect((await h.s.api('GET', '/v1/domains', undefined, as)).body.data.map((d: any) => d.name)).toEqual(['rival.example.test']);
    // Its domain's settings and host are not used for this project's mail from that domain either.
    const spoof = await send('a@rival.example.test');
    expect(spoof.clicks[0]).toMatch(`http://${CNAME_TARGET}/`);
  });

  it('lets a member key read domains but not add, change, verify or delete them', async () => {
    const as = { authorization: `Bearer ${memberKey}` };
    expect((await h.s.api('GET', `/v1/domains/${brandId}`, undefined, as)).status).toBe(200);
    expect((await h.s.api('POST', '/v1/domains', { name: 'member.example.test' }, as)).status).toBe(403);
    expect((await h.s.api('PATCH', `/v1/domains/${brandId}`, { open_tracking: true }, as)).status).toBe(403);
    expect((await h.s.api('POST', `/v1/domains/${brandId}/verify`, undefined, as)).status).toBe(403);
    expect((await h.s.api('DELETE', `/v1/domains/${brandId}`, undefined, as)).status).toBe(403);
  });

  it('serves a token only on the host that minted it: 404 elsewhere, and a pixel that records nothing', async () => {
    const before = await counts(brandEmail.id);
    const beforeDefault = await counts(defaultEmail.id);
    const path = (u: string) => new URL(u).pathname;
    const cases: Array<[string, string]> = [
      [brandEmail.clicks[0]!, CNAME_TARGET], // a custom host's token on the default host
      [brandEmail.clicks[0]!, 'links.rival.example.test'], // on another project's host
      [brandEmail.clicks[0]!, 'elsewhere.example.test'], // on some other name
      [defaultEmail.clicks[0]!, 'links.brand.example.test'], // a default-host token on a custom host
    ];
    for (const [url, host] of cases) {
      const res = await getOnHost(h.s, `${h.s.baseUrl}${path(url)}`, host);
      expect(res.status, `${url} on ${host}`).toBe(404);
      expect(res.headers.location).toBeUndefined();
    }
    for (const [url, host] of [
      [brandEmail.pixel, CNAME_TARGET],
      [brandEmail.pixel, 'links.rival.example.test'],
      [defaultEmail.pixel, 'links.brand.example.test'],
    ] as const) {
      const res = await getOnHost(h.s, `${h.s.baseUrl}${path(url)}`, host);
      expect(res.status).toBe(200);
      expect(res.body.equals(PIXEL_GIF)).toBe(true);
    }
    expect(await counts(brandEmail.id)).toEqual(before);
    expect(await counts(defaultEmail.id)).toEqual(beforeDefault);
    // On their own hosts they work, the default host answering whatever name it is reached by.
    expect((await getOnHost(h.s, brandEmail.clicks[0]!)).status).toBe(302);
    expect((await getOnHost(h.s, `${h.s.baseUrl}${path(defaultEmail.clicks[0]!)}`, '127.0.0.1')).status).toBe(302);
  });

  it("refuses a forged token on a customer's host without reading the host list or the store", async () => {
    const store = h.s.waymark.store;
    // The hits of earlier tests reach the store in the background: let them land first.
    await h.s.waymark.ingester.settled(5_000);
    const spies = [vi.spyOn(store.domains, 'allHosts'), vi.spyOn(store.events, 'appendHits'), vi.spyOn(h.s.waymark.recorder, 'record')];
    const token = new URL(brandEmail.clicks[0]!).pathname.split('/').pop()!;
    const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const res = await getOnHost(h.s, `https://links.brand.example.test/v1/track/click/${forged}`);
    expect(res.status).toBe(404);
    for (const spy of spies) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
  });

  it("a deleted domain's hosts answer 404 and a pixel that records nothing; the TLS check says no", async () => {
    const before = await counts(otherEmail.id, otherKey);
    const del = await h.s.api('DELETE', `/v1/domains/${(await h.s.api('GET', '/v1/domains', undefined, { authorization: `Bearer ${otherKey}` })).body.data[0].id}?force=true`, undefined, {
      authorization: `Bearer ${otherKey}`,
    });
    expect(del.body.emails_with_broken_links).toBe(1);
    expect((await getOnHost(h.s, otherEmail.clicks[0]!)).status).toBe(404);
    const pixel = await getOnHost(h.s, otherEmail.pixel);
    expect(pixel.status).toBe(200);
    expect(pixel.body.equals(PIXEL_GIF)).toBe(true);
    expect(await counts(otherEmail.id, otherKey)).toEqual(before);
    // Even a default-host token is not served on a deleted domain's host.
    expect((await getOnHost(h.s, `${h.s.baseUrl}${new URL(defaultEmail.clicks[0]!).pathname}`, 'links.rival.example.test')).status).toBe(404);
    expect((await getOnHost(h.s, `${h.s.baseUrl}/v1/tls/ask?domain=links.rival.example.test`)).status).toBe(404);
    expect((await getOnHost(h.s, `${h.s.baseUrl}/v1/tls/ask?domain=links.brand.example.test`)).status).toBe(200);
    expect((await getOnHost(h.s, `${h.s.baseUrl}/v1/tls/ask?domain=example.com`)).status).toBe(404);
    // The default tracking host is served too, so one on-demand TLS setup covers every host.
    expect((await getOnHost(h.s, `${h.s.baseUrl}/v1/tls/ask?domain=${CNAME_TARGET}`)).status).toBe(200);
  });
});
