import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DomainsHarness, HOUR, startDomainsHarness, zoneFor } from '../../../../../test/support/domains.js';

describe('the domains API refuses bad input and changes nothing', () => {
  let h: DomainsHarness;
  let domainId: string;
  beforeAll(async () => {
    h = await startDomainsHarness();
    domainId = (await h.s.api('POST', '/v1/domains', { name: 'taken.example.test' })).body.id;
  });
  afterAll(() => h.stop());

  const count = async () => (await h.s.api('GET', '/v1/domains?limit=100')).body.data.length;

  it.each([
    ['an empty name', { name: ' ' }, /name/],
    ['a public suffix', { name: 'co.uk' }, /public suffix/],
    ['a TLD', { name: 'com' }, /name/],
    ['a private-section public suffix', { name: 'github.io' }, /public suffix/],
    ['an IPv4 address', { name: '192.0.2.1' }, /IP address/],
    ['an IPv6 address', { name: '[2001:db8::1]' }, /IP address/],
    ['a wildcard', { name: '*.example.test' }, /wildcard/i],
    ['a URL', { name: 'https://example.test/' }, /name/],
    ['a label too long', { name: `${'a'.repeat(64)}.example.test` }, /63/],
    ['a name with a space', { name: 'exa mple.test' }, /name/],
    ['a return path starting with a digit', { name: 'rp1.example.test', custom_return_path: '1bounce' }, /custom_return_path/],
    ['a return path ending with a hyphen', { name: 'rp2.example.test', custom_return_path: 'bounce-' }, /custom_return_path/],
    ['a return path with an underscore', { name: 'rp3.example.test', custom_return_path: 'bo_unce' }, /custom_return_path/],
    ['a return path with a dot', { name: 'rp4.example.test', custom_return_path: 'a.b' }, /custom_return_path/],
    ['a return path of 64 characters', { name: 'rp5.example.test', custom_return_path: 'a'.repeat(64) }, /custom_return_path/],
    ['an unknown tls mode', { name: 'tls.example.test', tls: 'always' }, /tls/],
    ['an unknown field', { name: 'f.example.test', tracking_domain: 'links' }, /unknown field "tracking_domain"/],
  ])('refuses %s with 422', async (_name, body, message) => {
    const before = await count();
    const res = await h.s.api('POST', '/v1/domains', body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toMatch(message);
    expect(await count()).toBe(before);
  });

  it('refuses the same name twice, however it is spelled, with 409', async () => {
    for (const name of ['taken.example.test', 'TAKEN.example.test.']) {
      const res = await h.s.api('POST', '/v1/domains', { name });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('conflict');
    }
  });

  it('never removes a tracking subdomain, and refuses one that is not a single label', async () => {
    await h.s.api('PATCH', `/v1/domains/${domainId}`, { tracking_subdomain: 'links' });
    const before = (await h.s.api('GET', `/v1/domains/${domainId}`)).body;
    for (const tracking_subdomain of [null, '', '  ', 'a.b', '-x', 'x_y', 'send', 'SEND']) {
      const res = await h.s.api('PATCH', `/v1/domains/${domainId}`, { tracking_subdomain });
      expect(res.status, JSON.stringify(tracking_subdomain)).toBe(422);
      expect(res.body.error.message).toMatch(/tracking_subdomain/);
    }
    expect((await h.s.api('GET', `/v1/domains/${domainId}`)).body).toEqual(before);
  });

  it('lets the tracking subdomain change once per 24 h: sooner is 429 with retry_after', async () => {
    const before = (await h.s.api('GET', `/v1/domains/${domainId}`)).body;
    h.clock.advance(23 * HOUR);
    const res = await h.s.api('PATCH', `/v1/domains/${domainId}`, { tracking_subdomain: 'go' });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('rate_limited');
    expect(res.body.error.retry_after).toBe(3600);
    expect(res.headers.get('retry-after')).toBe('3600');
    expect((await h.s.api('GET', `/v1/domains/${domainId}`)).body).toEqual(before);
    // Setting the same value again is no change, and allowed.
    expect((await h.s.api('PATCH', `/v1/domains/${domainId}`, { tracking_subdomain: 'links' })).status).toBe(200);
    h.clock.advance(HOUR);
    expect((await h.s.api('PATCH', `/v1/domains/${domainId}`, { tracking_subdomain: 'go' })).status).toBe(200);
  });

  it('refuses an empty or unknown change', async () => {
    for (const body of [{}, { colour: 'red' }, { open_tracking: 'yes' }]) {
      expect((await h.s.api('PATCH', `/v1/domains/${domainId}`, body)).status, JSON.stringify(body)).toBe(422);
    }
  });

  it('needs force to delete a domain whose host carried links in the last 90 days, and says how many emails', async () => {
    const d = (await h.s.api('POST', '/v1/domains', { name: 'inuse.example.test', click_tracking: true })).body;
    const set = (await h.s.api('PATCH', `/v1/domains/${d.id}`, { tracking_subdomain: 'links' })).body;
    await h.dns.setRecords(zoneFor(set));
    expect((await h.s.api('POST', `/v1/domains/${d.id}/verify`)).body.tracking_host).toBe('links.inuse.example.test');
    for (let i = 0; i < 3; i++) {
      await h.s.api('POST', '/v1/emails', { from: 'a@inuse.example.test', to: 'b@example.org', subject: 's', html: '<a href="https://example.com/">x</a>' });
    }
    const refused = await h.s.api('DELETE', `/v1/domains/${d.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'domain_in_use', emails_with_broken_links: 3 });
    expect(refused.body.error.message).toMatch(/3 emails/);
    expect((await h.s.api('GET', `/v1/domains/${d.id}`)).status).toBe(200);
    const forced = await h.s.api('DELETE', `/v1/domains/${d.id}?force=true`);
    expect(forced.status).toBe(200);
    expect(forced.body).toEqual({ id: d.id, object: 'domain', deleted: true, emails_with_broken_links: 3 });
    expect((await h.s.api('GET', `/v1/domains/${d.id}`)).status).toBe(404);
  });

  it('deletes without force when the links are older than 90 days, and still counts them', async () => {
    const d = (await h.s.api('POST', '/v1/domains', { name: 'old.example.test', click_tracking: true })).body;
    const set = (await h.s.api('PATCH', `/v1/domains/${d.id}`, { tracking_subdomain: 'links' })).body;
    await h.dns.setRecords(zoneFor(set));
    await h.s.api('POST', `/v1/domains/${d.id}/verify`);
    await h.s.api('POST', '/v1/emails', { from: 'a@old.example.test', to: 'b@example.org', subject: 's', html: '<a href="https://example.com/">x</a>' });
    h.clock.advance(91 * 24 * HOUR);
    const res = await h.s.api('DELETE', `/v1/domains/${d.id}`);
    expect(res.status).toBe(200);
    expect(res.body.emails_with_broken_links).toBe(1);
  });

  it('deletes a domain that never carried links without force; then its name is free again', async () => {
    const d = (await h.s.api('POST', '/v1/domains', { name: 'unused.example.test' })).body;
    expect((await h.s.api('DELETE', `/v1/domains/${d.id}`)).body.emails_with_broken_links).toBe(0);
    expect((await h.s.api('POST', '/v1/domains', { name: 'unused.example.test' })).status).toBe(201);
  });

  it('answers 404 for an unknown domain and 422 for a malformed id', async () => {
    const unknown = '01900000-0000-7000-8000-000000000000';
    for (const [method, path] of [
      ['GET', `/v1/domains/${unknown}`],
      ['PATCH', `/v1/domains/${unknown}`],
      ['POST', `/v1/domains/${unknown}/verify`],
      ['DELETE', `/v1/domains/${unknown}`],
    ] as const) {
      const res = await h.s.api(method, path, method === 'PATCH' ? { open_tracking: true } : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await h.s.api('GET', '/v1/domains/42')).status).toBe(422);
    expect((await h.s.api('GET', '/v1/tls/ask')).status).toBe(422);
  });
});
