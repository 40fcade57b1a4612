import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, onServer, startWaymark } from '../../../../../test/support/in-process.js';
import { encodeToken, parseKeyring } from '../../../../core/tokens/index.js';

describe('tracking routes refuse what they did not sign', () => {
  let s: RunningWaymark;
  let emailId: string;
  let clickUrl: string;
  let pixelUrl: string;
  beforeAll(async () => {
    s = await startWaymark();
    emailId = (await s.api('POST', '/v1/emails', emailBody())).body.id;
    const html = (await s.api('GET', `/v1/emails/${emailId}`)).body.html as string;
    clickUrl = onServer(s, /href="(http:\/\/track\.waymark\.test\/v1\/track\/click\/[^"]+)"/.exec(html)![1]!);
    pixelUrl = onServer(s, /src="([^"]+\/v1\/track\/open\/[^"]+)"/.exec(html)![1]!);
  });
  afterAll(() => s.stop());

  async function counts() {
    const email = (await s.api('GET', `/v1/emails/${emailId}`)).body;
    return [email.open_count, email.click_count];
  }

  it('refuses a forged click token without touching the store', async () => {
    const store = s.waymark.store;
    // The hits of earlier tests reach the store in the background: let them land first.
    await s.waymark.ingester.settled(5_000);
    const spies = [vi.spyOn(store.events, 'appendHits'), vi.spyOn(store.emails, 'get'), vi.spyOn(store.events, 'list'), vi.spyOn(s.waymark.recorder, 'record')];
    const forger = parseKeyring('test:' + 'f'.repeat(40)); // same key id, wrong secret
    const forged = encodeToken(forger, { kind: 'click', emailId, hostId: 0, linkIndex: 0, destination: 'https://evil.test/' });
    for (const token of [forged, 'garbage', clickUrl.split('/').pop()!.slice(0, -2), 'A'.repeat(5000)]) {
      const res = await fetch(`${s.baseUrl}/v1/track/click/${token}`, { redirect: 'manual' });
      expect(res.status).toBe(404);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    }
    for (const spy of spies) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
  });

  it('takes no destination from an unsigned parameter', async () => {
    const res = await fetch(`${clickUrl}?url=https://evil.test/&redirect=https://evil.test/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.com/a?x=1&y=2#top');
  });

  it('answers a forged pixel with the GIF and records nothing', async () => {
    const before = await counts();
    const res = await fetch(`${s.baseUrl}/v1/track/open/forged-token`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/gif');
    expect((await res.arrayBuffer()).byteLength).toBe(43);
    expect(await counts()).toEqual(before);
  });

  it('refuses an open token on the click route and a click token on the open route', async () => {
    const before = await counts();
    const openToken = pixelUrl.split('/').pop()!;
    expect((await fetch(`${s.baseUrl}/v1/track/click/${openToken}`, { redirect: 'manual' })).status).toBe(404);
    const clickToken = clickUrl.split('/').pop()!;
    expect((await fetch(`${s.baseUrl}/v1/track/open/${clickToken}`)).status).toBe(200);
    expect(await counts()).toEqual(before);
  });

  it("answers HEAD like GET and records it as a machine's, never a person's", async () => {
    const before = (await s.api('GET', `/v1/emails/${emailId}`)).body;
    const pixel = await fetch(pixelUrl, { method: 'HEAD' });
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('cache-control')).toBe('no-store, no-cache, must-revalidate, max-age=0');
    const click = await fetch(clickUrl, { method: 'HEAD', redirect: 'manual' });
    expect(click.status).toBe(302);
    const after = (await s.api('GET', `/v1/emails/${emailId}`)).body;
    expect([after.open_count, after.click_count]).toEqual([before.open_count + 1, before.click_count + 1]);
    expect([after.human_open_count, after.human_click_count]).toEqual([before.human_open_count, before.human_click_count]);
    const events = (await s.api('GET', `/v1/emails/${emailId}/events?limit=2`)).body.data;
    for (const e of events) {
      expect(e.classification).not.toBe('human');
      expect(e.signals.method).toBe('HEAD');
    }
  });

  it('ignores X-Forwarded-For from a proxy that is not trusted', async () => {
    await fetch(pixelUrl, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    const [latest] = (await s.api('GET', `/v1/emails/${emailId}/events?type=opened&limit=1`)).body.data;
    expect(latest.ip).toBe('127.0.0.1');
  });
});

describe('tracking behind a trusted proxy', () => {
  it('takes the client address from X-Forwarded-For when the proxy is trusted', async () => {
    const s = await startWaymark({ env: { WAYMARK_TRUSTED_PROXIES: '127.0.0.1/8,::1' } });
    try {
      const id = (await s.api('POST', '/v1/emails', emailBody())).body.id;
      const html = (await s.api('GET', `/v1/emails/${id}`)).body.html as string;
      const pixel = onServer(s, /src="([^"]+\/v1\/track\/open\/[^"]+)"/.exec(html)![1]!);
      await fetch(pixel, { headers: { 'x-forwarded-for': '198.51.100.7, 127.0.0.1' } });
      const [event] = (await s.api('GET', `/v1/emails/${id}/events?type=opened`)).body.data;
      expect(event.ip).toBe('198.51.100.7');
    } finally {
      await s.stop();
    }
  });
});
