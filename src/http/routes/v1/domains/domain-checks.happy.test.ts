import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDnsServer, startDnsServer } from '../../../../../test/support/dns-server.js';
import { CNAME_TARGET, zoneFor } from '../../../../../test/support/domains.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';
import { startReceiver } from '../../../../../test/support/webhook-receiver.js';

/** The background checker, left running, and the domain.updated webhook it sends. */
describe('domain checks run by themselves and announce status changes', () => {
  let s: RunningWaymark;
  let dns: TestDnsServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  // Real time to start with: the reference library checks webhook-timestamp against the wall clock.
  let t = Date.now();
  beforeAll(async () => {
    dns = await startDnsServer();
    receiver = await startReceiver();
    s = await startWaymark({
      clock: { now: () => t },
      env: { WAYMARK_DNS_SERVERS: dns.address, WAYMARK_TRACKING_URL: `http://${CNAME_TARGET}`, WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' },
    });
  });
  afterAll(async () => {
    await s.stop();
    await receiver.close();
    await dns.stop();
  });

  it('a due domain is checked without being asked, and each status change is a signed domain.updated', async () => {
    const hook = (await s.api('POST', '/v1/webhooks', { url: receiver.url, events: ['domain.updated'] })).body;
    receiver.trust(hook.secret);
    const d = (await s.api('POST', '/v1/domains', { name: 'auto.example.test' })).body;
    // Setting a tracking subdomain starts verification and wakes the checker: not_started → pending.
    await s.api('PATCH', `/v1/domains/${d.id}`, { tracking_subdomain: 'links' });
    await receiver.waitFor(1);

    await dns.setRecords(zoneFor((await s.api('GET', `/v1/domains/${d.id}`)).body));
    t += 61_000; // due now; the job's own poll (or a nudge) picks it up
    s.waymark.domainChecks.nudge();
    await receiver.waitFor(2);
    expect((await s.api('GET', `/v1/domains/${d.id}`)).body.status).toBe('verified');

    const events = receiver.received.map((r) => r.verified as any);
    expect(receiver.received.every((r) => r.verifyError === null)).toBe(true);
    expect(events.map((e) => [e.type, e.data.previous_status, e.data.status])).toEqual([
      ['domain.updated', 'not_started', 'pending'],
      ['domain.updated', 'pending', 'verified'],
    ]);
    expect(events[1].data).toMatchObject({ domain_id: d.id, name: 'auto.example.test' });
    expect(events[1].data.records.find((r: any) => r.record === 'Tracking')).toMatchObject({ name: 'links.auto.example.test', status: 'verified' });
  });
});
