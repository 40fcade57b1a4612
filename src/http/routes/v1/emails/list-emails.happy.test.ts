import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe.each(backends())('GET /v1/emails with filters, on %s', (backend) => {
  let s: RunningWaymark;
  let now = Date.UTC(2026, 5, 1);
  beforeAll(async () => {
    s = await startWaymark({ backend, clock: { now: () => now } });
  });
  afterAll(() => s.stop());

  it('narrows by status and creation time, and pages through what is left', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await s.api('POST', '/v1/emails', emailBody({ subject: `n${i}` }))).body.id);
      now += 3_600_000;
    }
    const list = async (q: string) => (await s.api('GET', `/v1/emails?${q}`)).body;
    expect((await list('status=captured')).data.map((e: { id: string }) => e.id)).toEqual([...ids].reverse());
    expect((await list('status=queued')).data).toEqual([]);
    const since = new Date(Date.UTC(2026, 5, 1, 1)).toISOString();
    const until = new Date(Date.UTC(2026, 5, 1, 3)).toISOString();
    const window = await list(`since=${since}&until=${until}&limit=1`);
    expect(window.data.map((e: { id: string }) => e.id)).toEqual([ids[2]]);
    expect(window.has_more).toBe(true);
    const next = await list(`since=${since}&until=${until}&limit=1&after=${window.next_cursor}`);
    expect(next.data.map((e: { id: string }) => e.id)).toEqual([ids[1]]);
    expect(next.has_more).toBe(false);
    const bad = await s.api('GET', '/v1/emails?status=bounced');
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toBe('querystring.status must be one of: queued, sent, captured, failed');
  });
});
