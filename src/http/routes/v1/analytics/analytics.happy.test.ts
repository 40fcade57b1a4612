import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, onServer, startWaymark } from '../../../../../test/support/in-process.js';

/** A person: the pixel loaded by the mail app, the link opened in the browser. */
const MAIL_APP = { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148' };
const BROWSER = {
  'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
};
const ZERO_HUMAN = { human_opened: 0, human_opens: 0, machine_opens: 0, human_clicked: 0, human_clicks: 0, machine_clicks: 0, aggregate_only_sent: 0 };
const ZERO_HUMAN_RATES = { human_open_rate: 0, human_click_rate: 0, human_click_to_open_rate: 0, unavailable: [] };

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
    const c = await sendTracked(s, 'summary');
    await sendTracked(s, 'other');
    await fetch(a.pixel, { headers: MAIL_APP });
    await fetch(a.pixel, { headers: MAIL_APP });
    await fetch(b.pixel, { headers: MAIL_APP });
    await fetch(a.links[0]!, { redirect: 'manual', headers: BROWSER });
    // c: a link checker (HEAD), a machine.
    await fetch(c.links[0]!, { method: 'HEAD', redirect: 'manual', headers: BROWSER });

    const { status, body } = await s.api('GET', '/v1/analytics/summary?tag=campaign:summary');
    expect(status).toBe(200);
    expect(body).toEqual({
      sent: 3,
      opened: 2,
      opens: 3,
      clicked: 2,
      clicks: 2,
      human_opened: 2,
      human_opens: 3,
      machine_opens: 0,
      human_clicked: 1,
      human_clicks: 1,
      machine_clicks: 1,
      open_rate: 2 / 3,
      click_rate: 2 / 3,
      click_to_open_rate: 2 / 2,
      human_open_rate: 2 / 3,
      human_click_rate: 1 / 3,
      human_click_to_open_rate: 1 / 2,
      aggregate_only_sent: 0,
      unavailable: [],
    });
    const all = (await s.api('GET', '/v1/analytics/summary')).body;
    expect(all.sent).toBeGreaterThanOrEqual(4);
    const future = (await s.api('GET', '/v1/analytics/summary?from=2999-01-01T00:00:00Z')).body;
    expect(future).toEqual({
      sent: 0,
      opened: 0,
      opens: 0,
      clicked: 0,
      clicks: 0,
      ...ZERO_HUMAN,
      open_rate: 0,
      click_rate: 0,
      click_to_open_rate: 0,
      ...ZERO_HUMAN_RATES,
    });
  });

  it('answers per link: url, label, index, clicks and unique clicks', async () => {
    const a = await sendTracked(s, 'links');
    const b = await sendTracked(s, 'links');
    // A person clicks a's first link twice and b's first link; b's second link is followed at
    // once by the same client (two different links within a second: a scanner's burst).
    for (const url of [a.links[0]!, a.links[0]!, b.links[0]!, b.links[1]!]) await fetch(url, { redirect: 'manual', headers: BROWSER });
    const { status, body } = await s.api('GET', '/v1/analytics/links?tag=campaign:links');
    expect(status).toBe(200);
    expect(body.data).toEqual([
      { url: a.email.links[0].url, label: a.email.links[0].label, index: 0, clicks: 3, unique_clicks: 2, human_clicks: 2, human_unique_clicks: 1, machine_clicks: 1 },
      { url: a.email.links[1].url, label: a.email.links[1].label, index: 1, clicks: 1, unique_clicks: 1, human_clicks: 0, human_unique_clicks: 0, machine_clicks: 1 },
    ]);
    const one = (await s.api('GET', `/v1/analytics/links?email_id=${a.id}`)).body;
    expect(one.data).toEqual([
      { url: a.email.links[0].url, label: a.email.links[0].label, index: 0, clicks: 2, unique_clicks: 1, human_clicks: 2, human_unique_clicks: 1, machine_clicks: 0 },
    ]);
  });

  it('answers the timeseries per hour and per day, in UTC or a given tz', async () => {
    const a = await sendTracked(s, 'series');
    await fetch(a.pixel, { headers: MAIL_APP });
    const hourStart = new Date(Math.floor(Date.parse(a.email.created_at) / 3_600_000) * 3_600_000).toISOString();
    const hourly = (await s.api('GET', '/v1/analytics/timeseries?interval=hour&tag=campaign:series')).body;
    expect(hourly).toMatchObject({ object: 'list', interval: 'hour', tz: 'UTC' });
    expect(hourly.data).toEqual([
      {
        start: hourStart,
        sent: 1,
        opened: 1,
        opens: 1,
        clicked: 0,
        clicks: 0,
        ...ZERO_HUMAN,
        human_opened: 1,
        human_opens: 1,
        open_rate: 1,
        click_rate: 0,
        click_to_open_rate: 0,
        ...ZERO_HUMAN_RATES,
        human_open_rate: 1,
      },
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
    const split = (name: string, opens: number, human: number) => ({ name, opens, human_opens: human, machine_opens: opens - human });
    // The click comes from the same client as the iPhone opens, within a second of them: all three
    // are labelled a scanner's. Gmail's proxy open stays a person's.
    expect(body).toEqual({
      opens: 3,
      human_opens: 1,
      machine_opens: 2,
      clients: [split('Apple Mail', 2, 0), split('Gmail', 1, 1)],
      devices: [split('mobile', 2, 0), split('proxy', 1, 1)],
      os: [split('iOS', 2, 0), split('unknown', 1, 1)],
    });
  });

  it('lets a member key read analytics', async () => {
    const member = (await s.api('POST', '/v1/api-keys', { name: 'reader', role: 'member' })).body.key as string;
    const res = await fetch(`${s.baseUrl}/v1/analytics/summary`, { headers: { authorization: `Bearer ${member}` } });
    expect(res.status).toBe(200);
  });
});
