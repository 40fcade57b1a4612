import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailBody } from '../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../test/support/in-process.js';
import { createProject } from '../services/projects.js';
import { systemClock } from '../ports/clock.js';

describe('API authentication and tenant isolation', () => {
  let s: RunningWaymark;
  let memberKey: string;
  let otherProjectKey: string;
  beforeAll(async () => {
    s = await startWaymark();
    memberKey = (await s.api('POST', '/v1/api-keys', { name: 'member', role: 'member' })).body.key;
    const other = await createProject(s.waymark.store, systemClock, 'Other team');
    otherProjectKey = (await s.waymark.apiKeys.issue(other.id, 'other admin', 'admin')).secret;
  });
  afterAll(() => s.stop());

  it.each([
    ['no Authorization header', {}],
    ['a malformed header', { authorization: 'Token abc' }],
    ['an unknown key', { authorization: 'Bearer wm_doesnotexist' }],
    ['a key without the prefix', { authorization: 'Bearer abcdef' }],
  ])('answers 401 to %s', async (_name, headers) => {
    const res = await fetch(`${s.baseUrl}/v1/emails`, { headers });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.code).toBe('unauthorized');
  });

  it('answers 401 before looking at the body', async () => {
    const res = await fetch(`${s.baseUrl}/v1/emails`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' });
    expect(res.status).toBe(401);
  });

  it('answers 403 when a member key calls an admin route', async () => {
    const res = await s.api('GET', '/v1/api-keys', undefined, { authorization: `Bearer ${memberKey}` });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    const allowed = await s.api('POST', '/v1/emails', emailBody(), { authorization: `Bearer ${memberKey}` });
    expect(allowed.status).toBe(201);
  });

  it('never shows the key again, and records when it was used', async () => {
    const list = await s.api('GET', '/v1/api-keys');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(memberKey);
    const member = list.body.data.find((k: { name: string }) => k.name === 'member');
    expect(member.prefix).toBe(memberKey.slice(0, 9));
    expect(member.last_used_at).not.toBeNull();
  });

  it("answers 404, never 403, for another project's email and hides it from lists", async () => {
    const mine = (await s.api('POST', '/v1/emails', emailBody())).body.id;
    const asOther = { authorization: `Bearer ${otherProjectKey}` };
    const get = await s.api('GET', `/v1/emails/${mine}`, undefined, asOther);
    expect(get.status).toBe(404);
    expect((await s.api('GET', `/v1/emails/${mine}/events`, undefined, asOther)).status).toBe(404);
    expect((await s.api('GET', `/v1/emails/${mine}/raw`, undefined, asOther)).status).toBe(404);
    expect((await s.api('GET', `/v1/events?email_id=${mine}`, undefined, asOther)).status).toBe(404);
    expect((await s.api('GET', '/v1/emails', undefined, asOther)).body.data).toEqual([]);
  });
});
