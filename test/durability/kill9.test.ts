import { describe, expect, it } from 'vitest';
import { backends } from '../support/backends.js';
import { emailBody } from '../support/fixtures.js';
import { api, crashSite } from './crash-site.js';
import { hitEvents, startLoad, trackingPaths } from './load.js';

describe.each(backends())('kill -9 while tracking hits are in flight, on %s', (backend) => {
  const site = crashSite(backend, 'kill9');

  it('loses no hit that was answered, and counts none twice', async () => {
    const first = await site.start();
    const key = first.adminKey!;
    const emailId = (await api(first, key, 'POST', '/v1/emails', emailBody())).id as string;
    const paths = await trackingPaths(first, key, emailId);

    // 16 clients hit both routes until the server dies under them.
    const load = startLoad([first], paths, { clients: 16, pauseMs: 0, prefix: 'hit' });
    while (load.answered.length < 400) await new Promise((r) => setTimeout(r, 20));
    await site.killNine(first);
    await load.stop();

    const second = await site.start();
    const events = await hitEvents(second, key, emailId, load.answered.length, 10_000);
    const recorded = new Set(events.map((e) => e.user_agent));
    expect(load.answered.length).toBeGreaterThanOrEqual(400);
    expect(load.answered.filter((a) => !recorded.has(a))).toEqual([]);
    expect(events.length).toBe(recorded.size);
    await site.stop(second);
  }, 120_000);
});
