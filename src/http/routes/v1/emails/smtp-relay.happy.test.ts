import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';
import { startRelay, statusOf } from '../../../../../test/support/smtp-relay.js';

describe('POST /v1/emails through an SMTP relay (WAYMARK_SMTP_URL)', () => {
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let s: RunningWaymark;
  beforeAll(async () => {
    relay = await startRelay();
    s = await startWaymark({ env: { WAYMARK_SMTP_URL: relay.url } });
  });
  afterAll(async () => {
    await s.stop();
    await relay.close();
  });

  it('queues the email, hands the tracked message to the relay, and marks it sent', async () => {
    const created = await s.api('POST', '/v1/emails', emailBody({ to: ['ann@example.org'] }));
    expect(created.status).toBe(201);
    const email = await statusOf(s, created.body.id, (status) => status !== 'queued');
    expect(email.status).toBe('sent');
    const message = relay.received.find((m) => m.to.includes('ann@example.org'));
    expect(message?.from).toBe('news@acme.test');
    // The relay got the instrumented message: the pixel and tracked links are in it.
    const unfolded = message!.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    expect(unfolded).toContain('http://track.waymark.test/v1/track/open/');
    expect(unfolded).toContain('http://track.waymark.test/v1/track/click/');
    const events = (await s.api('GET', `/v1/emails/${created.body.id}/events`)).body.data;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['sent']);
  });

  it('marks the email failed when the relay refuses it for good (5xx)', async () => {
    const created = await s.api('POST', '/v1/emails', emailBody({ to: ['reject-550@example.org'] }));
    const email = await statusOf(s, created.body.id, (status) => status !== 'queued');
    expect(email.status).toBe('failed');
    const events = (await s.api('GET', `/v1/emails/${created.body.id}/events`)).body.data;
    expect(events).toMatchObject([{ type: 'failed', detail: expect.stringMatching(/550/) }]);
  });

  it('keeps the email queued for a retry when the relay defers it (4xx)', async () => {
    const created = await s.api('POST', '/v1/emails', emailBody({ to: ['reject-451@example.org'] }));
    for (let i = 0; i < 100; i++) {
      const row = await s.waymark.store.emails.get(s.waymark.defaultProjectId, created.body.id);
      if (row?.deliveryAttempts === 1 && row.statusDetail) {
        expect(row.status).toBe('queued');
        expect(row.statusDetail).toMatch(/451/);
        expect(row.nextAttemptAt).toBeGreaterThan(Date.now() + 30_000);
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the deferred attempt was never recorded');
  });
});
