import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe.each(backends())('the API keys API refuses bad input and changes nothing, on %s', (backend) => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ backend });
  });
  afterAll(() => s.stop());

  const ids = async () => (await s.api('GET', '/v1/api-keys')).body.data.map((k: { id: string }) => k.id).sort();

  it.each([
    ['an expiry in the past', { name: 'k', expires_at: '2001-01-01T00:00:00Z' }, /expires_at must be in the future/],
    ['a domain on a non-sending key', { name: 'k', role: 'member', domain_id: '01900000-0000-7000-8000-000000000000' }, /set role to "sending"/],
    ['an unknown domain', { name: 'k', role: 'sending', domain_id: '01900000-0000-7000-8000-000000000000' }, /no such domain/],
    ['an unknown role', { name: 'k', role: 'root' }, /must be one of: admin, member, sending/],
  ])('refuses %s with 422', async (_name, body, message) => {
    const before = await ids();
    const res = await s.api('POST', '/v1/api-keys', body);
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(message);
    expect(await ids()).toEqual(before);
  });

  it("keeps the project's last admin key, with 409", async () => {
    const keys = (await s.api('GET', '/v1/api-keys')).body.data;
    const admins = keys.filter((k: { role: string }) => k.role === 'admin');
    expect(admins).toHaveLength(1);
    const res = await s.api('DELETE', `/v1/api-keys/${admins[0].id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect((await s.api('GET', '/v1/emails')).status).toBe(200);
  });

  it('answers 404 for an unknown key and 422 for a malformed id', async () => {
    expect((await s.api('DELETE', '/v1/api-keys/01900000-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await s.api('DELETE', '/v1/api-keys/nope')).status).toBe(422);
  });
});
