import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe('POST /v1/emails refuses bad input and changes nothing', () => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ env: { WAYMARK_MAX_BODY_BYTES: '20000' } });
  });
  afterAll(() => s.stop());

  async function emailCount(): Promise<number> {
    return (await s.api('GET', '/v1/emails?limit=100')).body.data.length;
  }

  const cases: Array<[string, unknown, number, string, RegExp]> = [
    ['an unknown field', emailBody({ colour: 'red' }), 422, 'validation_failed', /unknown field "colour"/],
    ['no html nor text', emailBody({ html: undefined, text: undefined }), 422, 'validation_failed', /html.*text/],
    ['no subject', emailBody({ subject: undefined }), 422, 'validation_failed', /subject/],
    ['a bad from address', emailBody({ from: 'not an address' }), 422, 'validation_failed', /from/],
    ['two from addresses', emailBody({ from: 'a@x.test, b@x.test' }), 422, 'validation_failed', /from/],
    ['a bad to address', emailBody({ to: ['ok@x.test', 'nope'] }), 422, 'validation_failed', /to/],
    ['an empty to list', emailBody({ to: [] }), 422, 'validation_failed', /to/],
    ['a header with a line break', emailBody({ headers: { 'X-Test': 'a\r\nBcc: evil@x.test' } }), 422, 'validation_failed', /line breaks/],
    ['a reserved header', emailBody({ headers: { From: 'x@y.test' } }), 422, 'validation_failed', /cannot be overridden/],
    ['a bad tag', emailBody({ tags: [{ name: 'a b', value: 'c' }] }), 422, 'validation_failed', /tags/],
    ['a bad click mode', emailBody({ tracking: { click: 'both' } }), 422, 'validation_failed', /click/],
    ['a bad pixel placement', emailBody({ pixel: 'middle' }), 422, 'validation_failed', /pixel/],
    ['invalid JSON', '{"from": ', 400, 'invalid_json', /JSON/],
    ['a body over the limit', emailBody({ html: 'x'.repeat(30_000) }), 413, 'payload_too_large', /too large/],
  ];

  it.each(cases)('refuses %s', async (_name, body, status, code, message) => {
    const before = await emailCount();
    const res = await s.api('POST', '/v1/emails', body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(message);
    expect(await emailCount()).toBe(before);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await fetch(`${s.baseUrl}/v1/emails`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.adminKey}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as any).error.code).toBe('unsupported_media_type');
  });

  it('answers 409 when an Idempotency-Key comes back with another body', async () => {
    const headers = { 'idempotency-key': 'reused' };
    expect((await s.api('POST', '/v1/emails', emailBody(), headers)).status).toBe(201);
    const before = await emailCount();
    const res = await s.api('POST', '/v1/emails', emailBody({ subject: 'different' }), headers);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('idempotency_conflict');
    expect(await emailCount()).toBe(before);
  });

  it('answers 404 for an unknown email and 422 for a malformed id', async () => {
    const unknown = await s.api('GET', '/v1/emails/0190c3a0-0000-7000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const malformed = await s.api('GET', '/v1/emails/abc');
    expect(malformed.status).toBe(422);
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const res = await s.api('GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    const message = 'no route for GET /v1/nothing-here';
    expect(res.body).toEqual({ error: { code: 'not_found', message }, name: 'not_found', message, statusCode: 404 });
  });
});
