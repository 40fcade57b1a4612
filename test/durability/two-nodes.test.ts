import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requirePostgres } from '../support/databases.js';
import { emailBody } from '../support/fixtures.js';
import { api, crashSite } from './crash-site.js';
import { hitEvents, startLoad, trackingPaths } from './load.js';

describe.skipIf(!requirePostgres())('two nodes on one PostgreSQL, each with its own journal', () => {
  const site = crashSite('postgres', 'two-nodes');

  it('records the sum of the hits each node answered, none twice', async () => {
    const a = await site.start();
    const b = await site.start({ WAYMARK_DATA_DIR: path.join(site.dir, 'b') });
    const key = a.adminKey!;
    const emailId = (await api(a, key, 'POST', '/v1/emails', emailBody())).id as string;
    const paths = await trackingPaths(a, key, emailId);

    const load = startLoad([a, b], paths, { clients: 16, pauseMs: 0, prefix: 'node' });
    while (load.answered.length < 2_000) await new Promise((r) => setTimeout(r, 50));
    await load.stop();
    expect(load.failures).toEqual([]);

    const events = await hitEvents(a, key, emailId, load.answered.length, 30_000);
    const recorded = new Set(events.map((e) => e.user_agent));
    expect(load.answered.filter((x) => !recorded.has(x))).toEqual([]);
    expect(events.length).toBe(load.answered.length);
    const email = await api(b, key, 'GET', `/v1/emails/${emailId}`);
    expect(email.open_count + email.click_count).toBe(load.answered.length);
    await site.stop(a);
    await site.stop(b);
  }, 120_000);
});
