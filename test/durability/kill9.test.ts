import { describe, expect, it } from 'vitest';
import { backends } from '../support/backends.js';
import type { ChildServer } from '../support/child-server.js';
import { emailBody } from '../support/fixtures.js';
import { api, crashSite } from './crash-site.js';

async function allEventAgents(server: ChildServer, key: string, emailId: string): Promise<Set<string>> {
  const agents = new Set<string>();
  let after = '';
  for (;;) {
    const page = (await api(server, key, 'GET', `/v1/emails/${emailId}/events?limit=100${after}`)) as {
      data: Array<{ user_agent: string | null }>;
      next_cursor: string | null;
    };
    for (const e of page.data) if (e.user_agent) agents.add(e.user_agent);
    if (!page.next_cursor) return agents;
    after = `&after=${page.next_cursor}`;
  }
}

describe.each(backends())('kill -9 while tracking hits are in flight, on %s', (backend) => {
  const site = crashSite(backend, 'kill9');

  it('loses no hit that was answered', async () => {
    const first = await site.start();
    const key = first.adminKey!;
    const emailId = (await api(first, key, 'POST', '/v1/emails', emailBody())).id as string;
    const email = (await api(first, key, 'GET', `/v1/emails/${emailId}`)) as { html: string };
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
    await site.killNine(first);
    killed = true;
    await Promise.all(clients);

    const second = await site.start();
    const recorded = await allEventAgents(second, key, emailId);
    const lost = answered.filter((a) => !recorded.has(a));
    expect(answered.length).toBeGreaterThanOrEqual(400);
    expect(lost).toEqual([]);
    await site.stop(second);
  }, 120_000);
});
