import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, onServer, startWaymark } from '../../../../../test/support/in-process.js';

const GIF_HEADERS = {
  'content-type': 'image/gif',
  'content-length': '43',
  'cache-control': 'no-store, no-cache, must-revalidate, max-age=0',
  pragma: 'no-cache',
  expires: '0',
};

async function sendTracked(s: RunningWaymark) {
  const id = (await s.api('POST', '/v1/emails', emailBody())).body.id as string;
  const email = (await s.api('GET', `/v1/emails/${id}`)).body;
  const pixel = /src="([^"]+\/v1\/track\/open\/[^"]+)"/.exec(email.html)![1]!;
  const links = [...(email.html as string).matchAll(/href="(http:\/\/track\.waymark\.test\/v1\/track\/click\/[^"]+)"/g)].map((m) => m[1]!);
  return { id, pixel: onServer(s, pixel), links: links.map((l) => onServer(s, l)) };
}

describe.each(backends())('tracking routes on %s', (backend) => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ backend });
  });
  afterAll(() => s.stop());

  it('serves the pixel, records the open and sets the first-open time once', async () => {
    const { id, pixel } = await sendTracked(s);
    const res = await fetch(pixel, { headers: { 'user-agent': 'TestMail/1.0', referer: 'https://mail.example/' } });
    expect(res.status).toBe(200);
    for (const [name, value] of Object.entries(GIF_HEADERS)) expect(res.headers.get(name)).toBe(value);
    const gif = Buffer.from(await res.arrayBuffer());
    expect(gif.length).toBe(43);
    expect(gif.subarray(0, 6).toString()).toBe('GIF89a');

    const after1 = (await s.api('GET', `/v1/emails/${id}`)).body;
    expect(after1.opened_at).not.toBeNull();
    expect(after1.open_count).toBe(1);
    expect(after1.last_event).toBe('opened');
    await fetch(pixel);
    const after2 = (await s.api('GET', `/v1/emails/${id}`)).body;
    expect(after2.open_count).toBe(2);
    expect(after2.opened_at).toBe(after1.opened_at);

    const events = (await s.api('GET', `/v1/emails/${id}/events?type=opened`)).body.data;
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ type: 'opened', email_id: id, ip: '127.0.0.1', user_agent: 'TestMail/1.0', referer: 'https://mail.example/' });
  });

  it('redirects a click to the exact destination and records it', async () => {
    const { id, links } = await sendTracked(s);
    const res = await fetch(links[0]!, { redirect: 'manual', headers: { 'user-agent': 'Clicker/2' } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.com/a?x=1&y=2#top');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');

    const idn = await fetch(links[1]!, { redirect: 'manual' });
    expect(idn.headers.get('location')).toBe('https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A4');

    const email = (await s.api('GET', `/v1/emails/${id}`)).body;
    expect(email.click_count).toBe(2);
    expect(email.clicked_at).not.toBeNull();
    const clicks = (await s.api('GET', `/v1/events?type=clicked&email_id=${id}`)).body.data;
    expect(clicks.map((e: { link_index: number; url: string }) => [e.link_index, e.url])).toEqual([
      [1, 'https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A4'],
      [0, 'https://example.com/a?x=1&y=2#top'],
    ]);
  });

  it('records every hit of a concurrent burst (group commit)', async () => {
    const { id, pixel, links } = await sendTracked(s);
    const hits = await Promise.all(
      Array.from({ length: 200 }, (_, i) => fetch(i % 2 ? pixel : links[0]!, { redirect: 'manual' }).then((r) => r.status)),
    );
    expect(hits.filter((h) => h === 200)).toHaveLength(100);
    expect(hits.filter((h) => h === 302)).toHaveLength(100);
    const email = (await s.api('GET', `/v1/emails/${id}`)).body;
    expect([email.open_count, email.click_count]).toEqual([100, 100]);
  });

  it('filters events by time', async () => {
    const { id, pixel } = await sendTracked(s);
    await fetch(pixel);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await s.api('GET', `/v1/events?email_id=${id}&since=${future}`)).body.data).toEqual([]);
    expect((await s.api('GET', `/v1/events?email_id=${id}&until=${future}&type=opened`)).body.data).toHaveLength(1);
  });
});

describe.each([true, false])('a long destination with the tracking fast path %s', (trackingFastPath) => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ trackingFastPath });
  });
  afterAll(() => s.stop());

  // Tokens carry their destination, so a long URL makes a long path segment: the router must accept it.
  it('redirects a 2,000-character URL exactly', async () => {
    const destination = `https://example.com/landing?ref=${'a'.repeat(2_000)}&utm_source=mail`;
    const html = `<html><body><a href="${destination}">go</a></body></html>`;
    const id = (await s.api('POST', '/v1/emails', emailBody({ html }))).body.id as string;
    const email = (await s.api('GET', `/v1/emails/${id}`)).body;
    const link = /href="(http:\/\/track\.waymark\.test\/v1\/track\/click\/[^"]+)"/.exec(email.html)![1]!;
    const res = await fetch(onServer(s, link), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(destination);
    expect((await s.api('GET', `/v1/emails/${id}`)).body.click_count).toBe(1);
  });
});
