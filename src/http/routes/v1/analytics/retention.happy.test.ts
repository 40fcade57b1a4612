import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, onServer, startWaymark } from '../../../../../test/support/in-process.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5, 9, 30);

async function sendTracked(s: RunningWaymark, tag: string) {
  const id = (await s.api('POST', '/v1/emails', emailBody({ tags: [{ name: 'campaign', value: tag }] }))).body.id as string;
  const email = (await s.api('GET', `/v1/emails/${id}`)).body;
  const pixel = /src="([^"]+\/v1\/track\/open\/[^"]+)"/.exec(email.html)![1]!;
  const links = [...(email.html as string).matchAll(/href="(http:\/\/track\.waymark\.test\/v1\/track\/click\/[^"]+)"/g)].map((m) => m[1]!);
  return { id, pixel: onServer(s, pixel), links: links.map((l) => onServer(s, l)) };
}

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const GMAIL = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';

/** Every analytics answer, and what the emails say of themselves. */
async function snapshot(s: RunningWaymark, emailIds: string[]) {
  const get = async (path: string) => {
    const res = await s.api('GET', path);
    expect(res.status).toBe(200);
    return res.body;
  };
  return {
    summary: await get('/v1/analytics/summary'),
    tagged: await get('/v1/analytics/summary?tag=campaign:spring'),
    hourly: await get('/v1/analytics/timeseries?interval=hour'),
    daily: await get('/v1/analytics/timeseries?interval=day&tz=Europe/Paris'),
    links: await get('/v1/analytics/links?tag=campaign:spring'),
    clients: await get('/v1/analytics/clients'),
    emails: await Promise.all(
      emailIds.map(async (id) => {
        const e = await get(`/v1/emails/${id}`);
        return { id, status: e.status, open_count: e.open_count, click_count: e.click_count, opened_at: e.opened_at, clicked_at: e.clicked_at };
      }),
    ),
  };
}

describe.each(backends())('WAYMARK_EVENT_RETENTION_DAYS on %s', (backend) => {
  let s: RunningWaymark;
  let now = T0;
  beforeAll(async () => {
    s = await startWaymark({ backend, clock: { now: () => now }, env: { WAYMARK_EVENT_RETENTION_DAYS: '30', WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
    // Deliveries stay pending: nothing sends them in this test.
    await s.waymark.webhookWorker.stop();
  });
  afterAll(() => s.stop());

  it('purges raw events past the retention; every analytics answer and email counter stays the same', async () => {
    expect(s.config.eventRetentionDays).toBe(30);
    expect(s.waymark.eventRetention).not.toBeNull();
    expect(s.waymark.eventRetentionJob).not.toBeNull();

    const a = await sendTracked(s, 'spring');
    const b = await sendTracked(s, 'spring');
    await sendTracked(s, 'autumn');
    for (const ua of [IPHONE, IPHONE, GMAIL]) await fetch(a.pixel, { headers: { 'user-agent': ua } });
    now += 3_600_000;
    await fetch(b.pixel, { headers: { 'user-agent': IPHONE } });
    for (const url of [a.links[0]!, a.links[0]!, b.links[1]!]) await fetch(url, { redirect: 'manual', headers: { 'user-agent': IPHONE } });
    // An endpoint that subscribes to clicks: the next click waits, pending, for its delivery.
    const hook = await s.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hooks', events: ['email.clicked'] });
    expect(hook.status).toBe(201);
    await fetch(b.links[0]!, { redirect: 'manual' });

    const events = (await s.api('GET', '/v1/events?limit=100')).body.data as Array<{ id: string; type: string }>;
    expect(events).toHaveLength(3 + 4 + 4); // 3 sent, 4 opens, 4 clicks
    const pendingEvent = events.find((e) => e.type === 'clicked')!; // newest first: the last click
    const before = await snapshot(s, [a.id, b.id]);
    expect(before.tagged).toMatchObject({ sent: 2, opened: 2, opens: 4, clicked: 2, clicks: 4 });
    expect(before.clients.opens).toBe(4);

    // 29 days on, nothing is old enough.
    now += 29 * DAY;
    expect(await s.waymark.eventRetention!.purge()).toBe(0);
    expect((await s.api('GET', '/v1/events?limit=100')).body.data).toHaveLength(11);

    // 31 days on, every event goes but the one a pending delivery still needs.
    now += 2 * DAY;
    expect(await s.waymark.eventRetention!.purge()).toBe(10);
    expect((await s.api('GET', '/v1/events?limit=100')).body.data.map((e: { id: string }) => e.id)).toEqual([pendingEvent.id]);
    expect((await s.api('GET', `/v1/emails/${a.id}/events`)).body.data).toEqual([]);
    expect(await snapshot(s, [a.id, b.id])).toEqual(before);

    // New activity is recorded and counted on top, and is kept.
    await fetch(a.pixel, { headers: { 'user-agent': IPHONE } });
    expect((await s.api('GET', '/v1/analytics/summary?tag=campaign:spring')).body).toMatchObject({ opens: 5, opened: 2 });
    expect(await s.waymark.eventRetention!.purge()).toBe(0);
    expect((await s.api('GET', `/v1/emails/${a.id}/events`)).body.data).toHaveLength(1);
  });
});

describe('WAYMARK_EVENT_RETENTION_DAYS unset', () => {
  it('keeps events forever: no purge, no job', async () => {
    const s = await startWaymark({ backend: 'sqlite' });
    try {
      expect(s.config.eventRetentionDays).toBeNull();
      expect(s.waymark.eventRetention).toBeNull();
      expect(s.waymark.eventRetentionJob).toBeNull();
    } finally {
      await s.stop();
    }
  });
});
