import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer, waitForExit } from '../support/child-server.js';
import { emailBody } from '../support/fixtures.js';
import { type PgCluster, startPgCluster } from '../support/pg-cluster.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { api } from './crash-site.js';
import { hitEvents, startLoad, trackingPaths } from './load.js';

/** As long as the scenario: a database away for a minute under steady load. */
const OUTAGE_MS = 60_000;

/** Fails with the server's last words if it is gone. */
function alive(server: ChildServer): void {
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    throw new Error(`the server exited (${server.child.exitCode ?? server.child.signalCode}):\n${server.output().slice(-4000)}`);
  }
}

describe('PostgreSQL stopped for a minute under load', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('answers every hit meanwhile, and records each exactly once afterwards, webhooks included', async () => {
    const cluster: PgCluster = await startPgCluster();
    cleanups.push(() => cluster.destroy());
    const dir = mkdtempSync(path.join(tmpdir(), 'waymark-outage-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const server: ChildServer = await startChildServer({
      WAYMARK_DATA_DIR: dir,
      WAYMARK_DATABASE_URL: cluster.url,
      WAYMARK_SECRET: `outage:${'o'.repeat(40)}`,
      WAYMARK_TRACKING_URL: 'http://track.test',
      WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1',
    });
    cleanups.push(() => void server.child.kill('SIGKILL'));
    const key = server.adminKey!;
    const endpoint = await api(server, key, 'POST', '/v1/webhooks', { url: receiver.url, events: ['email.opened', 'email.clicked'] });
    receiver.trust(endpoint.secret);
    const emailId = (await api(server, key, 'POST', '/v1/emails', emailBody())).id as string;
    const paths = await trackingPaths(server, key, emailId);

    const load = startLoad([server], paths, { clients: 4, pauseMs: 40, prefix: 'outage' });
    await new Promise((r) => setTimeout(r, 2_000));
    await cluster.stop('immediate');
    const answeredBefore = load.answered.length;
    await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
    alive(server);
    const health = (await (await fetch(`${server.baseUrl}/healthz`)).json()) as { status: string; journal: { bytes: number; ingest_lag_ms: number } };
    expect(health.status).toBe('degraded');
    expect(health.journal.bytes).toBeGreaterThan(0);
    expect(health.journal.ingest_lag_ms).toBeGreaterThan(1_000);
    await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
    const answeredDuring = load.answered.length - answeredBefore;
    await cluster.start();
    await new Promise((r) => setTimeout(r, 2_000));
    await load.stop();

    // Every hit was answered, the database away or not.
    alive(server);
    expect(load.failures).toEqual([]);
    expect(answeredDuring).toBeGreaterThan(1_000);

    const events = await hitEvents(server, key, emailId, load.answered.length, 60_000);
    const recorded = new Set(events.map((e) => e.user_agent));
    expect(load.answered.filter((a) => !recorded.has(a))).toEqual([]);
    expect(events.length).toBe(load.answered.length);
    const email = await api(server, key, 'GET', `/v1/emails/${emailId}`);
    expect(email.open_count + email.click_count).toBe(load.answered.length);

    // One delivery per event, under the event's own webhook-id.
    await receiver.waitFor(events.length, 60_000);
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => `msg_${e.id}`)));
    expect(ids.length).toBe(events.length);
    expect(((await (await fetch(`${server.baseUrl}/healthz`)).json()) as { status: string }).status).toBe('ok');

    server.child.kill('SIGTERM');
    expect(await waitForExit(server.child)).toBe(0);
  }, 180_000);
});
