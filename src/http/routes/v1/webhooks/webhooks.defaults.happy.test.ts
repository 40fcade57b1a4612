import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '../../../../core/model.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { onServer, type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';
import { startReceiver } from '../../../../../test/support/webhook-receiver.js';

describe('a webhook endpoint created without events', () => {
  let s: RunningWaymark;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    s = await startWaymark({ env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await s.stop();
    await receiver.close();
  });

  it('subscribes to every event type and receives each of them', async () => {
    const created = await s.api('POST', '/v1/webhooks', { url: receiver.url });
    expect(created.status).toBe(201);
    expect(created.body.endpoint.events).toEqual([...WEBHOOK_EVENT_TYPES]);
    receiver.trust(created.body.secret);

    const { id } = (await s.api('POST', '/v1/emails', emailBody())).body;
    const email = (await s.api('GET', `/v1/emails/${id}`)).body;
    const pixel = /src="([^"]*\/v1\/track\/open\/[^"]+)"/.exec(email.html)![1]!;
    const link = /href="([^"]*\/v1\/track\/click\/[^"]+)"/.exec(email.html)![1]!;
    expect((await fetch(onServer(s, pixel))).status).toBe(200);
    expect((await fetch(onServer(s, link), { redirect: 'manual' })).status).toBe(302);
    await receiver.waitFor(3);
    const types = receiver.received.map((r) => (r.verified as { type: string }).type).sort();
    expect(types).toEqual(['email.clicked', 'email.opened', 'email.sent']);
  });
});
