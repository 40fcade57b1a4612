import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, onServer, startWaymark } from '../../../../../test/support/in-process.js';
import { startReceiver } from '../../../../../test/support/webhook-receiver.js';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

async function trackedEmail(s: RunningWaymark) {
  const id = (await s.api('POST', '/v1/emails', emailBody({ tags: [{ name: 'campaign', value: 'spring' }] }))).body.id as string;
  const email = (await s.api('GET', `/v1/emails/${id}`)).body;
  const pixel = /src="([^"]+\/v1\/track\/open\/[^"]+)"/.exec(email.html)![1]!;
  const link = /href="(http:\/\/track\.waymark\.test\/v1\/track\/click\/[^"]+)"/.exec(email.html)![1]!;
  return { id, pixel: onServer(s, pixel), link: onServer(s, link) };
}

async function deliveries(s: RunningWaymark, endpointId: string, until: (d: any[]) => boolean): Promise<any[]> {
  for (let i = 0; i < 200; i++) {
    const list = (await s.api('GET', `/v1/webhooks/${endpointId}/deliveries?limit=100`)).body.data;
    if (until(list)) return list;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the delivery log never reached the expected state');
}

describe.each(backends())('webhooks on %s', (backend) => {
  let s: RunningWaymark;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    s = await startWaymark({ backend, env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
  });
  afterAll(async () => {
    await s.stop();
    await receiver.close();
  });

  it('signs email.sent, email.opened and email.clicked so that the reference library verifies them', async () => {
    const created = await s.api('POST', '/v1/webhooks', { url: receiver.url, events: ['email.sent', 'email.opened', 'email.clicked'], description: 'crm' });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.body.endpoint).toMatchObject({ url: receiver.url, enabled: true, disabled_reason: null, description: 'crm' });
    expect(JSON.stringify((await s.api('GET', `/v1/webhooks/${created.body.endpoint.id}`)).body)).not.toContain(created.body.secret.slice(6, 20));
    receiver.trust(created.body.secret);
    const start = receiver.received.length;

    const { id, pixel, link } = await trackedEmail(s);
    await fetch(pixel, { headers: { 'user-agent': 'Mail/1' } });
    await fetch(link, { redirect: 'manual', headers: { 'user-agent': 'Browser/2' } });
    await receiver.waitFor(start + 3);

    const got = receiver.received.slice(start);
    for (const r of got) expect(r.verifyError).toBeNull();
    const byType = Object.fromEntries(got.map((r) => [(r.verified as { type: string }).type, r]));
    const events = (await s.api('GET', `/v1/emails/${id}/events`)).body.data as Array<{ id: string; type: string }>;
    for (const e of events) expect(byType[`email.${e.type}`]?.headers['webhook-id']).toBe(`msg_${e.id}`);

    const common = { email_id: id, from: 'Acme <news@acme.test>', to: ['ann@example.org'], subject: 'Hello', tags: [{ name: 'campaign', value: 'spring' }] };
    expect((byType['email.sent']!.verified as any).data).toMatchObject({ ...common, status: 'captured' });
    expect(byType['email.opened']!.verified).toMatchObject({
      type: 'email.opened',
      data: { ...common, open: { ip_address: '127.0.0.1', user_agent: 'Mail/1', timestamp: expect.any(String) } },
    });
    expect(byType['email.clicked']!.verified).toMatchObject({
      type: 'email.clicked',
      data: { ...common, click: { link: 'https://example.com/a?x=1&y=2#top', link_index: 0, ip_address: '127.0.0.1', user_agent: 'Browser/2' } },
    });

    const log = await deliveries(s, created.body.endpoint.id, (d) => d.length === 3 && d.every((x) => x.status === 'delivered'));
    expect(log[0]).toMatchObject({ attempts: 1, response_status: 200, response_body: 'ok', next_attempt_at: null, error: null });
    expect(log[0].duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('signs with both secrets for a day after a rotation', async () => {
    const created = (await s.api('POST', '/v1/webhooks', { url: receiver.url, events: ['email.opened'] })).body;
    const rotated = await s.api('POST', `/v1/webhooks/${created.endpoint.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(created.secret);
    expect(rotated.body.endpoint.previous_secret_expires_at).not.toBeNull();

    for (const trusted of [created.secret, rotated.body.secret]) {
      receiver.trust(trusted);
      const start = receiver.received.length;
      const test = await s.api('POST', `/v1/webhooks/${created.endpoint.id}/test`);
      expect(test.status).toBe(202);
      await receiver.waitFor(start + 1);
      const r = receiver.received[start]!;
      expect(r.verifyError).toBeNull();
      expect(String(r.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(r.verified).toMatchObject({ type: 'event.test', data: { endpoint_id: created.endpoint.id } });
      expect(r.headers['webhook-id']).toBe(`msg_${test.body.delivery_id}`);
    }
  });

  it('replays events since a time, and retries one delivery by hand, under the same webhook-id', async () => {
    // Its own receiver: endpoints made by the other tests subscribe to opens too.
    const receiver = await startReceiver();
    onTestFinished(() => receiver.close());
    const created = (await s.api('POST', '/v1/webhooks', { url: receiver.url, events: ['email.opened'] })).body;
    receiver.trust(created.secret);
    const since = new Date().toISOString();
    const start = receiver.received.length;
    const { pixel } = await trackedEmail(s);
    await fetch(pixel);
    await receiver.waitFor(start + 1);
    const first = receiver.received[start]!.headers['webhook-id'];
    const [delivery] = await deliveries(s, created.endpoint.id, (d) => d[0]?.status === 'delivered');

    const retried = await s.api('POST', `/v1/webhooks/${created.endpoint.id}/deliveries/${delivery.id}/retry`);
    expect(retried.status).toBe(202);
    await receiver.waitFor(start + 2);
    expect(receiver.received[start + 1]!.headers['webhook-id']).toBe(first);

    const replay = await s.api('POST', `/v1/webhooks/${created.endpoint.id}/replay`, { since });
    expect(replay.body).toEqual({ queued: 1 });
    await receiver.waitFor(start + 3);
    expect(receiver.received[start + 2]!.headers['webhook-id']).toBe(first);
    expect(receiver.received[start + 2]!.verifyError).toBeNull();
  });

  it('lists, changes and deletes endpoints', async () => {
    const a = (await s.api('POST', '/v1/webhooks', { url: receiver.url, events: ['email.opened'] })).body.endpoint;
    const list = (await s.api('GET', '/v1/webhooks?limit=100')).body;
    expect(list.data.map((e: { id: string }) => e.id)).toContain(a.id);
    const patched = await s.api('PATCH', `/v1/webhooks/${a.id}`, { events: ['email.clicked', 'domain.updated'], enabled: false });
    expect(patched.body).toMatchObject({ events: ['email.clicked', 'domain.updated'], enabled: false, disabled_reason: 'manual' });
    expect((await s.api('PATCH', `/v1/webhooks/${a.id}`, { enabled: true })).body).toMatchObject({ enabled: true, disabled_reason: null });
    const deleted = await s.api('DELETE', `/v1/webhooks/${a.id}`);
    expect([deleted.status, deleted.body]).toEqual([200, { id: a.id, object: 'webhook', deleted: true }]);
    expect((await s.api('GET', `/v1/webhooks/${a.id}`)).status).toBe(404);
  });
});
