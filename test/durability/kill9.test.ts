import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backends } from '../support/backends.js';
import { type ChildServer, startChildServer, waitForExit } from '../support/child-server.js';
import { createTestDatabase } from '../support/databases.js';
import { emailBody } from '../support/fixtures.js';

const SECRET = 'k9:' + 'q'.repeat(40);

async function allEventAgents(server: ChildServer, key: string, emailId: string): Promise<Set<string>> {
  const agents = new Set<string>();
  let after = '';
  for (;;) {
    const res = await fetch(`${server.baseUrl}/v1/emails/${emailId}/events?limit=100${after}`, { headers: { authorization: `Bearer ${key}` } });
    const page = (await res.json()) as { data: Array<{ user_agent: string | null }>; next_cursor: string | null };
    for (const e of page.data) if (e.user_agent) agents.add(e.user_agent);
    if (!page.next_cursor) return agents;
    after = `&after=${page.next_cursor}`;
  }
}

describe.each(backends())('kill -9 while tracking hits are in flight, on %s', (backend) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'waymark-kill9-'));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('loses no hit that was answered', async () => {
    const env: Record<string, string> = { WAYMARK_DATA_DIR: dir, WAYMARK_SECRET: SECRET, WAYMARK_TRACKING_URL: 'http://track.test' };
    if (backend === 'postgres') {
      const db = await createTestDatabase();
      cleanups.push(db.drop);
      env.WAYMARK_DATABASE_URL = db.url;
    }
    const first = await startChildServer(env);
    cleanups.push(() => void first.child.kill('SIGKILL'));
    const key = first.adminKey!;
    const created = await fetch(`${first.baseUrl}/v1/emails`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(emailBody()),
    });
    const emailId = ((await created.json()) as { id: string }).id;
    const email = (await (await fetch(`${first.baseUrl}/v1/emails/${emailId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { html: string };
    const paths = [
      /src="http:\/\/track\.test(\/v1\/track\/open\/[^"]+)"/.exec(email.html)![1]!,
      /href="http:\/\/track\.test(\/v1\/track\/click\/[^"]+)"/.exec(email.html)![1]!,
    ];

    // 16 clients hit both routes until the server dies under them.
    const answered: string[] = [];
    let n = 0;
    let killed = false;
    const client = async () => {
      while (!killed) {
        const agent = `hit-${n++}`;
        try {
          const res = await fetch(first.baseUrl + paths[n % 2]!, { redirect: 'manual', headers: { 'user-agent': agent } });
          await res.arrayBuffer();
          if (res.status === 200 || res.status === 302) answered.push(agent);
        } catch {
          // the connection died with the server: not answered, so not owed
        }
      }
    };
    const clients = Array.from({ length: 16 }, client);
    while (answered.length < 400) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    killed = true;
    await waitForExit(first.child);
    await Promise.all(clients);

    const second = await startChildServer(env);
    cleanups.push(() => void second.child.kill('SIGKILL'));
    const recorded = await allEventAgents(second, key, emailId);
    const lost = answered.filter((a) => !recorded.has(a));
    expect(answered.length).toBeGreaterThanOrEqual(400);
    expect(lost).toEqual([]);
    second.child.kill('SIGTERM');
    expect(await waitForExit(second.child)).toBe(0);
  }, 120_000);
});
