import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, onServer, startWaymark } from '../../../../../test/support/in-process.js';

async function sendTracked(s: RunningWaymark, tag: string) {
  const id = (await s.api('POST', '/v1/emails', emailBody({ tags: [{ name: 'campaign', value: tag }] }))).body.id as string;
  const email = (await s.api('GET', `/v1/emails/${id}`)).body;
  const pixel = /src="([^"]+\/v1\/track\/open\/[^"]+)"/.exec(email.html)![1]!;
  const links = [...(email.html as string).matchAll(/href="(http:\/\/track\.waymark\.test\/v1\/track\/click\/[^"]+)"/g)].map((m) => m[1]!);
  return { id, email, pixel: onServer(s, pixel), links: links.map((l) => onServer(s, l)) };
}

describe.each(backends())('GET /v1/analytics/* on %s', (backend) => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ backend });
  });
  afterAll(() => s.stop());

  it('answers the summary with exact unique counts and rates, filtered by tag', async () => {
    const a = await sendTracked(s, 'summary');
    const b = await sendTracked(s, 'summary');
    await sendTracked(s, 'summary');
    await sendTracked(s, 'other');
    await fetch(a.pixel);
    await fetch(a.pixel);
    await fetch(b.pixel);
    await fetch(a.links[0]!, { redirect: 'manual' });

    const { status, body } = await s.api('GET', '/v1/analytics/summary?tag=campaign:summary');
    expect(status).toBe(200);
    expect(body).toEqual({
      sent: 3,
      opened: 2,
      opens: 3,
      clicked: 1,
      clicks: 1,
      open_rate: 2 / 3,
      click_rate: 1 / 3,
      click_to_open_rate: 1 / 2,
    });
    const all = (await s.api('GET', '/v1/analytics/summary')).body;
    expect(all.sent).toBeGreaterThanOrEqual(4);
    const future = (await s.api('GET', '/v1/analytics/summary?from=2999-01-01T00:00:00Z')).body;
    expect(future).toEqual({ sent: 0, opened: 0, opens: 0, clicked: 0, clicks: 0, open_rate: 0, click_rate: 0, click_to_open_rate: 0 });
  });

  it('answers per link: url, label, index, clicks and unique clicks', async () => {
    const a = await sendTracked(s, 'links');
    const b = await sendTracked(s, 'links');
    for (const url of [a.links[0]!, a.links[0]!, b.links[0]!, b.links[1]!]) await fetch(url, { redirect: 'manual' });
    const { status, body } = await s.api('GET', '/v1/analytics/links?tag=campaign:links');
    expect(status).toBe(200);
    expect(body.data).toEqual([
      { url: a.email.links[0].url, label: a.email.links[0].label, index: 0, clicks: 3, unique_clicks: 2 },
      { url: a.email.links[1].url, label: a.email.links[1].label, index: 1, clicks: 1, unique_clicks: 1 },
    ]);
    const one = (await s.api('GET', `/v1/analytics/links?email_id=${a.id}`)).body;
    expect(one.data).toEqual([{ url: a.email.links[0].url, label: a.email.links[0].label, index: 0, clicks: 2, unique_clicks: 1 }]);
  });

  it('answers the timeseries per hour and per day, in UTC or a given tz', async () => {
    const a = await sendTracked(s, 'series');
    await fetch(a.pixel);
    const hourStart = new Date(Math.floor(Date.parse(a.email.created_at) / 3_600_000) * 3_600_000).toISOString();
    const hourly = (await s.api('GET', '/v1/analytics/timeseries?interval=hour&tag=campaign:series')).body;
    expect(hourly).toMatchObject({ object: 'list', interval: 'hour', tz: 'UTC' });
    expect(hourly.data).toEqual([
      { start: hourStart, sent: 1, opened: 1, opens: 1, clicked: 0, clicks: 0, open_rate: 1, click_rate: 0, click_to_open_rate: 0 },
    ]);
    const daily = (await s.api('GET', '/v1/analytics/timeseries?interval=day&tz=Asia/Tokyo&tag=campaign:series')).body;
    expect(daily.data).toHaveLength(1);
    const start = Date.parse(daily.data[0].start);
    // Tokyo is UTC+9 all year: local midnight is 15:00 UTC.
    expect(new Date(start).getUTCHours()).toBe(15);
    expect(Date.parse(a.email.created_at) - start).toBeLessThan(24 * 3_600_000);
    expect(daily.data[0]).toMatchObject({ sent: 1, opened: 1, opens: 1 });
  });

  it('breaks opens down by client, device and OS', async () => {
    const a = await sendTracked(s, 'clients');
    const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
    const gmail = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
    for (const ua of [iphone, iphone, gmail]) await fetch(a.pixel, { headers: { 'user-agent': ua } });
    await fetch(a.links[0]!, { redirect: 'manual', headers: { 'user-agent': iphone } });
    const { status, body } = await s.api('GET', '/v1/analytics/clients?tag=campaign:clients');
    expect(status).toBe(200);
    expect(body).toEqual({
      opens: 3,
      clients: [
        { name: 'Apple Mail', opens: 2 },
        { name: 'Gmail', opens: 1 },
      ],
      devices: [
        { name: 'mobile', opens: 2 },
        { name: 'proxy', opens: 1 },
      ],
      os: [
        { name: 'iOS', opens: 2 },
        { name: 'unknown', opens: 1 },
      ],
    });
  });

  it('lets a member key read analytics', async () => {
    const member = (await s.api('POST', '/v1/api-keys', { name: 'reader', role: 'member' })).body.key as string;
    const res = await fetch(`${s.baseUrl}/v1/analytics/summary`, { headers: { authorization: `Bearer ${member}` } });
    expect(res.status).toBe(200);
  });
});
