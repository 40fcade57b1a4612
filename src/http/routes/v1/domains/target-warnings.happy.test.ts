import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe('domain records that would point at this machine', () => {
  let local: RunningWaymark;
  let hosted: RunningWaymark;
  beforeAll(async () => {
    // No WAYMARK_TRACKING_URL: the targets default to the public URL's host, localhost.
    local = await startWaymark({ env: { WAYMARK_TRACKING_URL: '' } });
    hosted = await startWaymark({ env: { WAYMARK_TRACKING_URL: 'https://t.waymark.example' } });
  });
  afterAll(async () => {
    await local.stop();
    await hosted.stop();
  });

  it('are flagged in every domain answer, with what to set', async () => {
    const created = await local.api('POST', '/v1/domains', { name: 'mail.example.test' });
    expect(created.status).toBe(201);
    const withHost = await local.api('PATCH', `/v1/domains/${created.body.id}`, { tracking_subdomain: 'links' });
    const records = Object.fromEntries(withHost.body.records.map((r: { record: string; value: string }) => [r.record, r.value]));
    expect(records.Tracking).toBe('localhost');
    expect(records.MX).toBe('localhost');
    expect(created.body.warnings.map((w: { code: string }) => w.code)).toEqual(['unreachable_target', 'unreachable_target', 'unreachable_target']);
    expect(created.body.warnings[0].message).toMatch(/^the tracking CNAME points at "localhost".*Set WAYMARK_TRACKING_URL/);
    const id = created.body.id;
    for (const res of [await local.api('GET', `/v1/domains/${id}`), await local.api('PATCH', `/v1/domains/${id}`, { open_tracking: true })]) {
      expect(res.body.warnings).toEqual(created.body.warnings);
    }
    expect((await local.api('GET', '/v1/domains')).body.data[0].warnings).toEqual(created.body.warnings);
  });

  it('are not flagged when the tracking URL names a public host', async () => {
    const created = await hosted.api('POST', '/v1/domains', { name: 'mail.example.test' });
    expect(created.body.warnings).toEqual([]);
  });
});
