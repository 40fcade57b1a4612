import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe('GET /v1/analytics/* with bad input', () => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ backend: 'sqlite' });
  });
  afterAll(() => s.stop());

  const cases: Array<[string, number, string]> = [
    ['/v1/analytics/summary?tag=nocolon', 422, 'validation_failed'],
    ['/v1/analytics/summary?from=yesterday', 422, 'validation_failed'],
    ['/v1/analytics/summary?to=2026-13-45', 422, 'validation_failed'],
    ['/v1/analytics/summary?from=2026-02-01&to=2026-01-01', 422, 'validation_failed'],
    ['/v1/analytics/summary?domain_id=not-a-uuid', 422, 'validation_failed'],
    ['/v1/analytics/summary?bogus=1', 422, 'validation_failed'],
    ['/v1/analytics/clients?tag=x', 422, 'validation_failed'],
    ['/v1/analytics/timeseries?interval=week', 422, 'validation_failed'],
    ['/v1/analytics/timeseries?tz=Mars/Olympus', 422, 'validation_failed'],
    ['/v1/analytics/links?email_id=nope', 422, 'validation_failed'],
    ['/v1/analytics/links?email_id=0190a6b0-0000-7000-8000-000000000000', 404, 'not_found'],
  ];

  it.each(cases)('%s → %i %s', async (url, status, code) => {
    const res = await s.api('GET', url);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: { code, message: expect.any(String) }, name: expect.any(String), message: res.body.error.message, statusCode: status });
  });
});
