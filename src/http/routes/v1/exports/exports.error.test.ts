import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe('exports with bad input', () => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ backend: 'sqlite' });
  });
  afterAll(() => s.stop());

  it.each([
    [{ resource: 'passwords' }, 'validation_failed'],
    [{ resource: '__proto__' }, 'validation_failed'],
    [{}, 'validation_failed'],
    [{ resource: 'emails', filters: { type: 'opened' } }, 'validation_failed'],
    [{ resource: 'emails', filters: { since: 'soon' } }, 'validation_failed'],
    [{ resource: 'events', filters: { type: 'bounced' } }, 'validation_failed'],
    [{ resource: 'events', filters: { since: 'yesterday' } }, 'validation_failed'],
    [{ resource: 'events', filters: { email_id: 'x' } }, 'validation_failed'],
    [{ resource: 'events', filters: { type: 1 } }, 'validation_failed'],
    [{ resource: 'events', extra: 1 }, 'validation_failed'],
    [{ resource: 'domains', filters: { status: 'verified' } }, 'validation_failed'],
    [{ resource: 'domains', filters: { since: 'last week' } }, 'validation_failed'],
    [{ resource: 'webhook_deliveries', filters: { endpoint_id: 'x' } }, 'validation_failed'],
    [{ resource: 'webhook_deliveries', filters: { endpoint_id: 42 } }, 'validation_failed'],
    [{ resource: 'webhook_deliveries', filters: { status: 'bounced' } }, 'validation_failed'],
    [{ resource: 'webhook_deliveries', filters: { until: '05/01/2026' } }, 'validation_failed'],
    [{ resource: 'webhook_deliveries', filters: { type: 'opened' } }, 'validation_failed'],
    [{ resource: 'webhook_deliveries', filters: { email_id: '0190a6b0-0000-7000-8000-000000000000' } }, 'validation_failed'],
  ])('POST /v1/exports %j → 422 %s and creates nothing', async (body, code) => {
    const res = await s.api('POST', '/v1/exports', body);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: { code, message: expect.any(String) }, name: 'validation_error', message: res.body.error.message, statusCode: 422 });
    expect((await s.api('GET', '/v1/exports')).body.data).toEqual([]);
  });

  it('answers 404 for an unknown export and 422 for a malformed id', async () => {
    expect((await s.api('GET', '/v1/exports/0190a6b0-0000-7000-8000-000000000000/download')).body.error.code).toBe('not_found');
    expect((await s.api('GET', '/v1/exports/nope/download')).status).toBe(422);
  });
});
