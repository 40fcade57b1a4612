import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, onServer, startWaymark } from '../../../../../test/support/in-process.js';
import { startReceiver } from '../../../../../test/support/webhook-receiver.js';

const MAIL_APP = { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko)' };

describe.each(backends())('webhook endpoints that take people only, on %s', (backend) => {
  let s: RunningWaymark;
  let everything: Awaited<ReturnType<typeof startReceiver>>;
  let people: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    everything = await startReceiver();
    people = await startReceiver();
    s = await startWaymark({ backend, env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
  });
  afterAll(async () => {
    await s.stop();
    await everything.close();
    await people.close();
  });

  it("deliver a person's open with its labels, and never a machine's", async () => {
    const all = (await s.api('POST', '/v1/webhooks', { url: everything.url, events: ['email.opened'] })).body;
    const humans = await s.api('POST', '/v1/webhooks', { url: people.url, events: ['email.opened'], human_only: true });
    expect(humans.status).toBe(201);
    expect(humans.body.endpoint.human_only).toBe(true);
    expect(all.endpoint.human_only).toBe(false);
    everything.trust(all.secret);
    people.trust(humans.body.secret);

    const id = (await s.api('POST', '/v1/emails', emailBody())).body.id as string;
    const html = (await s.api('GET', `/v1/emails/${id}`)).body.html as string;
    const pixel = onServer(s, /src="([^"]+\/v1\/track\/open\/[^"]+)"/.exec(html)![1]!);
    await fetch(pixel, { headers: { 'user-agent': 'Mozilla/5.0' } }); // Apple's prefetch
    await fetch(pixel, { headers: MAIL_APP }); // a person reading it in Apple Mail

    await everything.waitFor(2);
    await people.waitFor(1);
    const labels = everything.received.map((r) => (r.verified as any).data.open.classification).sort();
    expect(labels).toEqual(['apple_mpp', 'human']);
    expect((people.received[0]!.verified as any).data.open).toMatchObject({ classification: 'human', proxy: null, user_agent: MAIL_APP['user-agent'] });
    // The machine's open was never queued for the endpoint that takes people only.
    const log = (await s.api('GET', `/v1/webhooks/${humans.body.endpoint.id}/deliveries?limit=10`)).body.data;
    expect(log).toHaveLength(1);

    const off = await s.api('PATCH', `/v1/webhooks/${humans.body.endpoint.id}`, { human_only: false });
    expect(off.body.human_only).toBe(false);
  });
});
