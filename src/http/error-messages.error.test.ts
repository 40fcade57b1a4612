import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailBody } from '../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../test/support/in-process.js';

describe('validation messages say what is allowed', () => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark();
  });
  afterAll(() => s.stop());

  const message = async (method: string, path: string, body?: unknown) => {
    const res = await s.api(method, path, body);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    return res.body.error.message as string;
  };

  it('lists the values of an enum', async () => {
    expect(await message('POST', '/v1/emails', emailBody({ pixel: 'middle' }))).toBe('body.pixel must be one of: bottom, top, auto');
    expect(await message('POST', '/v1/api-keys', { name: 'k', role: 'owner' })).toBe('body.role must be one of: admin, member, sending');
    expect(await message('GET', '/v1/analytics/timeseries?interval=week')).toMatch(/^querystring\.interval must be one of: /);
  });

  it('counts recipients rather than calling a list of them "not a string"', async () => {
    const to = Array.from({ length: 51 }, (_, i) => `r${i}@example.org`);
    expect(await message('POST', '/v1/emails', emailBody({ to }))).toBe('body.to must have at most 50 recipients');
    expect(await message('POST', '/v1/emails', emailBody({ cc: [] }))).toBe('body.cc must have at least 1 recipients');
    expect(await message('POST', '/v1/emails', emailBody({ to: { ann: 'ann@example.org' } }))).toBe('body.to must be a string or an array');
    expect(await message('POST', '/v1/emails', emailBody({ to: ['ok@example.org', ''] }))).toBe('body.to.1 must not be empty');
  });

  it('names formats and lengths in words', async () => {
    expect(await message('POST', '/v1/api-keys', { name: 'k', expires_at: 'tomorrow' })).toBe(
      'body.expires_at must be an ISO 8601 date-time such as 2026-01-31T12:00:00Z',
    );
    expect(await message('POST', '/v1/api-keys', { name: 'k'.repeat(101) })).toBe('body.name must be at most 100 characters long');
    expect(await message('GET', '/v1/emails/42')).toBe('params.id must be a UUID');
  });

  it('says why a JSON body with a __proto__ key is refused, and writes nothing', async () => {
    const before = (await s.api('GET', '/v1/emails?limit=100')).body.data.length;
    const body = `{"from":"a@b.test","to":"c@d.test","subject":"s","text":"t","__proto__":{"admin":true}}`;
    expect(await message('POST', '/v1/emails', body)).toBe('the body has a "__proto__" key, which is not allowed in any field');
    const nested = `{"name":"k","constructor":{"prototype":{"x":1}}}`;
    expect(await message('POST', '/v1/api-keys', nested)).toMatch(/"constructor" holding "prototype"/);
    expect((await s.api('GET', '/v1/emails?limit=100')).body.data.length).toBe(before);
  });

  it('still tells JSON that does not parse apart, as 400', async () => {
    const res = await s.api('POST', '/v1/emails', '{"from":');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
    expect(res.body.error.message).toMatch(/^the body is not valid JSON/);
  });
});
