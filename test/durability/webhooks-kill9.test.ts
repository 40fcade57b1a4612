import { describe, expect, it } from 'vitest';
import { backends } from '../support/backends.js';
import { emailBody } from '../support/fixtures.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { api, crashSite } from './crash-site.js';

const HITS = 20;

describe.each(backends())('webhooks survive kill -9 between the event and its delivery, on %s', (backend) => {
  const site = crashSite(backend, 'kill9-webhooks', { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' });

  it('delivers every acknowledged event after a restart, under the webhook-id of its first attempt', async () => {
    const receiver = await startReceiver();
    site.onCleanup(() => receiver.close());
    const first = await site.start();
    const key = first.adminKey!;
    const endpoint = await api(first, key, 'POST', '/v1/webhooks', { url: receiver.url, events: ['email.opened'] });
    receiver.trust(endpoint.secret);
    // The receiver is down for now: every first attempt fails, and is retried 5 s later.
    receiver.answer(...Array.from({ length: HITS }, () => ({ status: 503 })));

    const emailId = (await api(first, key, 'POST', '/v1/emails', emailBody())).id as string;
    const html = (await api(first, key, 'GET', `/v1/emails/${emailId}`)).html as string;
    const pixel = first.baseUrl + /src="http:\/\/track\.test(\/v1\/track\/open\/[^"]+)"/.exec(html)![1]!;
    for (let i = 0; i < HITS; i++) expect((await fetch(pixel)).status).toBe(200);

    // Every first attempt made and recorded, none delivered: then the server dies.
    for (let i = 0; ; i++) {
      const log = (await api(first, key, 'GET', `/v1/webhooks/${endpoint.endpoint.id}/deliveries?limit=100`)).data as any[];
      if (log.length === HITS && log.every((d) => d.attempts === 1 && d.status === 'pending')) break;
      if (i > 400) throw new Error('the first attempts were not all recorded');
      await new Promise((r) => setTimeout(r, 25));
    }
    const firstIds = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect(firstIds.size).toBe(HITS);
    await site.killNine(first);

    const second = await site.start();
    await receiver.waitFor(2 * HITS, 20_000);
    const retried = receiver.received.slice(HITS);
    expect(new Set(retried.map((r) => r.headers['webhook-id']))).toEqual(firstIds);
    for (const r of retried) expect(r.verifyError).toBeNull();
    const events = (await api(second, key, 'GET', `/v1/emails/${emailId}/events?type=opened&limit=100`)).data as Array<{ id: string }>;
    expect(new Set(events.map((e) => `msg_${e.id}`))).toEqual(firstIds);
    await site.stop(second);
  }, 60_000);
});
