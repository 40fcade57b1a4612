import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';
import { systemClock } from '../../../../ports/clock.js';
import { createProject } from '../../../../services/projects.js';

describe('exports access', () => {
  let s: RunningWaymark;
  let member = '';
  beforeAll(async () => {
    s = await startWaymark({ backend: 'sqlite', env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
    member = (await s.api('POST', '/v1/api-keys', { name: 'member', role: 'member' })).body.key as string;
  });
  afterAll(() => s.stop());

  const as = (key: string, method: string, path: string, body?: unknown) =>
    fetch(s.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('lets only admin keys create and download, and members list', async () => {
    const denied = await as(member, 'POST', '/v1/exports', { resource: 'emails' });
    expect(denied.status).toBe(403);
    const made = await as(s.adminKey, 'POST', '/v1/exports', { resource: 'emails' });
    expect(made.status).toBe(200);
    const id = made.headers.get('x-export-id')!;
    const list = await as(member, 'GET', '/v1/exports');
    expect(list.status).toBe(200);
    expect(((await list.json()) as { data: Array<{ id: string }> }).data.map((j) => j.id)).toEqual([id]);
    expect((await as(member, 'GET', `/v1/exports/${id}/download`)).status).toBe(403);
    expect((await fetch(`${s.baseUrl}/v1/exports`)).status).toBe(401);
  });

  it('lets a member key create neither a domain nor a delivery-log export', async () => {
    for (const resource of ['domains', 'webhook_deliveries']) {
      const denied = await as(member, 'POST', '/v1/exports', { resource });
      expect(denied.status).toBe(403);
    }
  });

  it("exports the project's own domains and delivery log only, never keys, secrets or payloads", async () => {
    const other = await createProject(s.waymark.store, systemClock, 'Other team');
    const otherKey = (await s.waymark.apiKeys.issue(other.id, 'other admin', 'admin')).secret;
    const setup = async (key: string, name: string) => {
      const domain = await as(key, 'POST', '/v1/domains', { name });
      expect(domain.status).toBe(201);
      const hook = (await (await as(key, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/in', events: ['email.sent'] })).json()) as { endpoint: { id: string }; secret: string };
      expect((await as(key, 'POST', '/v1/emails', emailBody({ to: [`ann@${name}`] }))).status).toBe(201);
      return { domain: (await domain.json()) as { id: string }, endpointId: hook.endpoint.id, secret: hook.secret };
    };
    const mine = await setup(s.adminKey, 'mine.example.test');
    const theirs = await setup(otherKey, 'theirs.example.test');

    const csv = async (resource: string, filters: Record<string, string> = {}) => {
      const res = await as(s.adminKey, 'POST', '/v1/exports', { resource, filters });
      expect(res.status).toBe(200);
      return res.text();
    };
    const domains = await csv('domains');
    expect((parse(domains) as string[][]).slice(1).map((r) => r[0])).toEqual([mine.domain.id]);
    expect(domains).not.toContain('theirs.example.test');
    // Neither half of the DKIM key pair (the private key is sealed; the public one is in GET /v1/domains/:id).
    const stored = (await s.waymark.store.domains.get(s.waymark.defaultProjectId, mine.domain.id))!;
    expect(domains).not.toContain(stored.dkimPrivateKeySealed.slice(0, 40));
    expect(domains).not.toContain(stored.dkimPublicKey.slice(0, 40));

    const log = await csv('webhook_deliveries');
    const rows = (parse(log) as string[][]).slice(1);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set([mine.endpointId]));
    expect(log).not.toContain(mine.secret.slice(6));
    expect(log).not.toContain('ann@mine.example.test');
    // Another project's endpoint id finds nothing: the header alone, not a 404 that would confirm it exists.
    expect(await csv('webhook_deliveries', { endpoint_id: theirs.endpointId })).toBe(`${(parse(log) as string[][])[0]!.join(',')}\r\n`);
  });
});
