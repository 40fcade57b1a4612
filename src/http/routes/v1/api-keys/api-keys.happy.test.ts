import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

const HOUR = 3_600_000;

describe.each(backends())('API keys have a lifecycle, on %s', (backend) => {
  let s: RunningWaymark;
  let now = Date.now();
  beforeAll(async () => {
    s = await startWaymark({ backend, clock: { now: () => now } });
  });
  afterAll(() => s.stop());

  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  it('lists keys with the time each was last used', async () => {
    const created = await s.api('POST', '/v1/api-keys', { name: 'reporting' });
    expect(created.status).toBe(201);
    expect(created.body.api_key).toMatchObject({ name: 'reporting', role: 'member', last_used_at: null, expires_at: null, domain_id: null });
    now += 1000;
    expect((await s.api('GET', '/v1/emails', undefined, as(created.body.key))).status).toBe(200);
    const listed = (await s.api('GET', '/v1/api-keys')).body.data.find((k: { id: string }) => k.id === created.body.api_key.id);
    expect(listed.last_used_at).toBe(new Date(now).toISOString());
  });

  it('revokes a key at once: the next request with it is 401, and it leaves the list', async () => {
    const { key, api_key } = (await s.api('POST', '/v1/api-keys', { name: 'leaked', role: 'admin' })).body;
    expect((await s.api('GET', '/v1/emails', undefined, as(key))).status).toBe(200);
    const revoked = await s.api('DELETE', `/v1/api-keys/${api_key.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ id: api_key.id, object: 'api_key', deleted: true });
    const after = await s.api('GET', '/v1/emails', undefined, as(key));
    expect(after.status).toBe(401);
    expect(after.body.error).toEqual({ code: 'unauthorized', message: 'the API key is not valid' });
    expect((await s.api('GET', '/v1/api-keys')).body.data.map((k: { id: string }) => k.id)).not.toContain(api_key.id);
    expect((await s.api('DELETE', `/v1/api-keys/${api_key.id}`)).status).toBe(404);
  });

  it('lets a key expire: refused as expired from that moment on', async () => {
    const expiresAt = new Date(now + 2 * HOUR).toISOString();
    const { key, api_key } = (await s.api('POST', '/v1/api-keys', { name: 'contractor', expires_at: expiresAt })).body;
    expect(api_key.expires_at).toBe(expiresAt);
    expect((await s.api('GET', '/v1/emails', undefined, as(key))).status).toBe(200);
    now += 2 * HOUR;
    const expired = await s.api('GET', '/v1/emails', undefined, as(key));
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toBe('the API key has expired');
  });

  it('gives a sending key POST /v1/emails and nothing else', async () => {
    const { key } = (await s.api('POST', '/v1/api-keys', { name: 'app', role: 'sending' })).body;
    const sent = await s.api('POST', '/v1/emails', emailBody(), as(key));
    expect(sent.status).toBe(201);
    for (const [method, path] of [
      ['GET', '/v1/emails'],
      ['GET', `/v1/emails/${sent.body.id}`],
      ['GET', '/v1/events'],
      ['GET', '/v1/analytics/summary'],
      ['GET', '/v1/api-keys'],
      ['POST', '/v1/api-keys'],
      ['GET', '/v1/domains'],
      ['GET', '/v1/webhooks'],
      ['POST', '/v1/exports'],
    ] as const) {
      const res = await s.api(method, path, method === 'POST' ? { name: 'x', resource: 'emails' } : undefined, as(key));
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error).toEqual({ code: 'forbidden', message: 'a sending key may only send email (POST /v1/emails)' });
    }
  });

  it('limits a sending key to its domain', async () => {
    const domain = (await s.api('POST', '/v1/domains', { name: `mail-${backend}.example.test` })).body;
    const { key, api_key } = (await s.api('POST', '/v1/api-keys', { name: 'newsletter', role: 'sending', domain_id: domain.id })).body;
    expect(api_key.domain_id).toBe(domain.id);
    const count = async () => (await s.api('GET', '/v1/emails?limit=100')).body.data.length;
    const before = await count();
    const own = await s.api('POST', '/v1/emails', emailBody({ from: `News <news@mail-${backend}.example.test>` }), as(key));
    expect(own.status).toBe(201);
    const other = await s.api('POST', '/v1/emails', emailBody({ from: 'Acme <news@acme.test>' }), as(key));
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('forbidden');
    expect(other.body.error.message).toMatch(/only send from its own sending domain/);
    expect(await count()).toBe(before + 1);
  });
});
