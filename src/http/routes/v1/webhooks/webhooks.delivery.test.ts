import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, onServer, startWaymark } from '../../../../../test/support/in-process.js';
import { startReceiver } from '../../../../../test/support/webhook-receiver.js';

/** Time moves only when the test says so; the worker still polls on real timers. */
const clock = { t: Date.parse('2026-11-23T12:00:00Z'), now() { return this.t; } };
const SECOND = 1000;
const HOUR = 3600 * SECOND;

async function deliveryOf(s: RunningWaymark, endpointId: string, until: (d: any) => boolean): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const [d] = (await s.api('GET', `/v1/webhooks/${endpointId}/deliveries?limit=1`)).body.data;
    if (d && until(d)) return d;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the delivery never reached the expected state');
}

describe('webhook delivery rules, against flaky receivers', () => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ clock, env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
  });
  afterAll(() => s.stop());

  async function endpointFor(events: string[] = ['email.opened']) {
    const receiver = await startReceiver();
    onTestFinished(() => receiver.close());
    const created = (await s.api('POST', '/v1/webhooks', { url: receiver.url, events })).body;
    receiver.trust(created.secret);
    return { receiver, id: created.endpoint.id as string };
  }

  it('retries a receiver that fails twice, on the schedule, under one webhook-id, then succeeds', async () => {
    const { receiver, id } = await endpointFor();
    receiver.answer({ status: 500 }, { status: 503 });
    const t0 = clock.t;
    await s.api('POST', `/v1/webhooks/${id}/test`);

    const first = await deliveryOf(s, id, (d) => d.attempts === 1);
    expect(first).toMatchObject({ status: 'pending', response_status: 500, error: 'HTTP 500' });
    const retryAt = Date.parse(first.next_attempt_at) - t0;
    expect(retryAt).toBeGreaterThanOrEqual(4.5 * SECOND);
    expect(retryAt).toBeLessThanOrEqual(5.5 * SECOND);

    clock.t = t0 + 6 * SECOND;
    const second = await deliveryOf(s, id, (d) => d.attempts === 2);
    const second_wait = Date.parse(second.next_attempt_at) - clock.t;
    expect(second_wait).toBeGreaterThanOrEqual(270 * SECOND);
    expect(second_wait).toBeLessThanOrEqual(330 * SECOND);

    clock.t += 6 * 60 * SECOND;
    expect(await deliveryOf(s, id, (d) => d.attempts === 3)).toMatchObject({ status: 'delivered', response_status: 200, next_attempt_at: null });
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const stamps = receiver.received.map((r) => Number(r.headers['webhook-timestamp']));
    expect(stamps).toEqual([t0, t0 + 6 * SECOND, clock.t].map((t) => Math.floor(t / 1000)));
    expect((await s.api('GET', `/v1/webhooks/${id}`)).body.failing_since).toBeNull();
  });

  it('honours Retry-After on 429', async () => {
    const { receiver, id } = await endpointFor();
    receiver.answer({ status: 429, headers: { 'retry-after': '120' } });
    await s.api('POST', `/v1/webhooks/${id}/test`);
    const d = await deliveryOf(s, id, (x) => x.attempts === 1);
    expect(Date.parse(d.next_attempt_at) - Date.parse(d.last_attempt_at)).toBe(120 * SECOND);
  });

  it('disables the endpoint on 410 Gone and sends it nothing more', async () => {
    const { receiver, id } = await endpointFor();
    receiver.answer({ status: 410 });
    await s.api('POST', `/v1/webhooks/${id}/test`);
    expect(await deliveryOf(s, id, (x) => x.attempts === 1)).toMatchObject({ status: 'failed', response_status: 410 });
    expect((await s.api('GET', `/v1/webhooks/${id}`)).body).toMatchObject({ enabled: false, disabled_reason: 'gone' });
    const test = await s.api('POST', `/v1/webhooks/${id}/test`);
    expect(test.status).toBe(422);
    expect(receiver.received).toHaveLength(1);
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    const { receiver, id } = await endpointFor();
    receiver.answer({ status: 302, headers: { location: '/elsewhere' } });
    await s.api('POST', `/v1/webhooks/${id}/test`);
    expect(await deliveryOf(s, id, (x) => x.attempts === 1)).toMatchObject({ status: 'pending', response_status: 302 });
    await new Promise((r) => setTimeout(r, 700));
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toHaveLength(1);
  });

  it('disables an endpoint that has failed for five days without a success', async () => {
    const { receiver, id } = await endpointFor();
    const t0 = clock.t;
    receiver.answer(...Array.from({ length: 5 }, () => ({ status: 500 })));
    await s.api('POST', `/v1/webhooks/${id}/test`);
    await deliveryOf(s, id, (x) => x.attempts === 1);
    expect(Date.parse((await s.api('GET', `/v1/webhooks/${id}`)).body.failing_since)).toBe(t0);

    // Another failure just before the five days are up: still enabled, still retried.
    clock.t = t0 + 119 * HOUR;
    await deliveryOf(s, id, (x) => x.attempts === 2 && x.status === 'pending');
    expect((await s.api('GET', `/v1/webhooks/${id}`)).body).toMatchObject({ enabled: true, disabled_reason: null });

    clock.t = t0 + 120 * HOUR;
    await s.api('POST', `/v1/webhooks/${id}/test`);
    await deliveryOf(s, id, (x) => Date.parse(x.created_at) === clock.t && x.status === 'failed');
    expect((await s.api('GET', `/v1/webhooks/${id}`)).body).toMatchObject({ enabled: false, disabled_reason: 'failing' });
    // Nothing more goes out: not the retries that were pending, not new events.
    const sent = receiver.received.length;
    clock.t += 12 * HOUR;
    await new Promise((r) => setTimeout(r, 700));
    expect(receiver.received).toHaveLength(sent);
  });

  it('keeps tracking and the other endpoints going while one endpoint does not answer', async () => {
    const stuck = await endpointFor();
    const healthy = await endpointFor();
    stuck.receiver.hold();
    const id = (await s.api('POST', '/v1/emails', emailBody())).body.id as string;
    const html = (await s.api('GET', `/v1/emails/${id}`)).body.html as string;
    const pixel = onServer(s, /src="([^"]+\/v1\/track\/open\/[^"]+)"/.exec(html)![1]!);

    for (let i = 0; i < 6; i++) expect((await fetch(pixel)).status).toBe(200);
    await healthy.receiver.waitFor(6);
    // The stuck endpoint has its requests open and unanswered, at most four at a time.
    expect(stuck.receiver.received.length).toBeGreaterThan(0);
    expect(stuck.receiver.received.length).toBeLessThanOrEqual(4);
    expect((await s.api('GET', `/v1/emails/${id}`)).body.open_count).toBe(6);
    stuck.receiver.release();
    await stuck.receiver.waitFor(6);
  });
});
