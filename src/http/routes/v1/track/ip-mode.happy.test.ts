import { afterEach, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, onServer, startWaymark } from '../../../../../test/support/in-process.js';

describe.each(backends())('WAYMARK_IP_MODE on %s', (backend) => {
  let s: RunningWaymark | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it.each([
    ['full', '127.0.0.1'],
    ['truncated', '127.0.0.0'],
    ['none', null],
  ])('%s stores %s of the hit IP', async (mode, stored) => {
    s = await startWaymark({ backend, env: { WAYMARK_IP_MODE: mode } });
    const id = (await s.api('POST', '/v1/emails', emailBody())).body.id as string;
    const html = (await s.api('GET', `/v1/emails/${id}`)).body.html as string;
    const pixel = /src="([^"]+\/v1\/track\/open\/[^"]+)"/.exec(html)![1]!;
    expect((await fetch(onServer(s, pixel))).status).toBe(200);
    const events = (await s.api('GET', `/v1/emails/${id}/events?type=opened`)).body.data;
    expect(events).toHaveLength(1);
    expect(events[0].ip).toBe(stored);
  });
});

describe('WAYMARK_IP_MODE validation', () => {
  it('refuses an unknown mode at start', async () => {
    await expect(startWaymark({ backend: 'sqlite', env: { WAYMARK_IP_MODE: 'partial' } })).rejects.toThrow(/WAYMARK_IP_MODE must be one of full, truncated, none/);
  });
});
