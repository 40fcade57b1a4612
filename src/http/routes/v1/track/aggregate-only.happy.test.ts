import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToken } from '../../../../core/tokens/index.js';
import { backends } from '../../../../../test/support/backends.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, onServer, startWaymark } from '../../../../../test/support/in-process.js';

const MAIL_APP = { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148' };
const BROWSER = {
  'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
};

function trackingUrls(html: string): string[] {
  return [...html.matchAll(/"(http:\/\/track\.waymark\.test\/v1\/track\/(?:open|click)\/[^"]+)"/g)].map((m) => m[1]!);
}

describe.each(backends())('aggregate-only tracking on %s', (backend) => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ backend });
  });
  afterAll(() => s.stop());

  it('mints tokens that name no email, answers them, and keeps nothing per recipient', async () => {
    const tag = { name: 'campaign', value: 'anonymous' };
    const sent = await s.api('POST', '/v1/emails', emailBody({ tags: [tag], tracking: { open: true, click: true, aggregate_only: true } }));
    expect(sent.status).toBe(201);
    const id = sent.body.id as string;
    const email = (await s.api('GET', `/v1/emails/${id}`)).body;
    expect(email.tracking).toMatchObject({ open: true, aggregate_only: true });

    const urls = trackingUrls(email.html);
    expect(urls.length).toBeGreaterThan(1);
    const tokens = urls.map((u) => decodeToken(s.keyring, u.split('/').pop()!));
    for (const t of tokens) {
      expect(t?.kind).toMatch(/^aggregate_(open|click)$/);
      expect(JSON.stringify(t)).not.toContain(id);
    }
    // Every email of the same cohort (project, domain, tags, hour) carries the same id.
    const other = (await s.api('POST', '/v1/emails', emailBody({ tags: [tag], tracking: { open: true, click: true, aggregate_only: true } }))).body.id as string;
    const otherTokens = trackingUrls((await s.api('GET', `/v1/emails/${other}`)).body.html).map((u) => decodeToken(s.keyring, u.split('/').pop()!));
    expect(new Set([...tokens, ...otherTokens].map((t) => (t && 'cohortId' in t ? t.cohortId : null))).size).toBe(1);

    const pixel = onServer(s, urls.find((u) => u.includes('/open/'))!);
    const link = onServer(s, urls.find((u) => u.includes('/click/'))!);
    expect((await fetch(pixel, { headers: MAIL_APP })).status).toBe(200);
    const click = await fetch(link, { redirect: 'manual', headers: BROWSER });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(email.links[0].url);
    await s.waymark.ingester.settled(5_000);

    // Nothing per recipient: no counter, no open or click event (so no IP, user agent or webhook).
    expect((await s.api('GET', `/v1/emails/${id}`)).body).toMatchObject({ open_count: 0, click_count: 0, opened_at: null, human_opened_at: null });
    const events = (await s.api('GET', `/v1/events?limit=100`)).body.data as Array<{ type: string; email_id: string }>;
    expect(events.filter((e) => e.type === 'opened' || e.type === 'clicked')).toEqual([]);

    // The aggregate: totals per tag and link, and which figures cannot be given.
    const summary = (await s.api('GET', '/v1/analytics/summary?tag=campaign:anonymous')).body;
    expect(summary).toMatchObject({ sent: 2, aggregate_only_sent: 2, opens: 1, human_opens: 1, clicks: 1, human_clicks: 1, opened: 0, clicked: 0 });
    expect(summary.unavailable).toEqual(expect.arrayContaining(['opened', 'clicked', 'open_rate', 'human_open_rate']));
    const links = (await s.api('GET', '/v1/analytics/links?tag=campaign:anonymous')).body.data;
    expect(links).toEqual([expect.objectContaining({ url: email.links[0].url, clicks: 1, unique_clicks: 0, human_clicks: 1 })]);
  });

  it("takes the mode from the sending domain unless the email says otherwise", async () => {
    const domain = (await s.api('POST', '/v1/domains', { name: 'anon.example.test', open_tracking: true, aggregate_only: true })).body;
    expect(domain.aggregate_only).toBe(true);
    expect((await s.api('PATCH', `/v1/domains/${domain.id}`, { click_tracking: true })).body.aggregate_only).toBe(true);
    const from = { from: 'News <news@anon.example.test>' };
    const byDomain = (await s.api('POST', '/v1/emails', emailBody({ ...from, tracking: undefined }))).body.id as string;
    const optedOut = (await s.api('POST', '/v1/emails', emailBody({ ...from, tracking: { aggregate_only: false } }))).body.id as string;
    const kinds = async (emailId: string) => {
      const html = (await s.api('GET', `/v1/emails/${emailId}`)).body.html as string;
      return new Set(trackingUrls(html).map((u) => decodeToken(s.keyring, u.split('/').pop()!)?.kind));
    };
    expect(await kinds(byDomain)).toEqual(new Set(['aggregate_open', 'aggregate_click']));
    expect(await kinds(optedOut)).toEqual(new Set(['open', 'click']));
  });
});
