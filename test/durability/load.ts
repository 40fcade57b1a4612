import type { ChildServer } from '../support/child-server.js';
import { api } from './crash-site.js';

/** The pixel and the first tracked link of an email, as paths on any node. */
export async function trackingPaths(server: ChildServer, key: string, emailId: string): Promise<{ open: string; click: string }> {
  const email = (await api(server, key, 'GET', `/v1/emails/${emailId}`)) as { html: string };
  const open = /src="http:\/\/track\.test(\/v1\/track\/open\/[^"]+)"/.exec(email.html)![1]!;
  const click = /href="http:\/\/track\.test(\/v1\/track\/click\/[^"]+)"/.exec(email.html)![1]!;
  return { open, click };
}

export interface Load {
  /** The user agents of the hits that were answered (200 pixel, 302 click): the events owed. */
  answered: string[];
  /** Requests that got anything else, or no answer, while the server was up. */
  failures: string[];
  stop(): Promise<void>;
}

/**
 * `clients` loops hitting the pixel and the link of `paths` on `servers` in turn, each hit with its
 * own user agent, pausing `pauseMs` between hits, until stopped.
 */
export function startLoad(servers: ChildServer[], paths: { open: string; click: string }, options: { clients: number; pauseMs: number; prefix: string }): Load {
  const answered: string[] = [];
  const failures: string[] = [];
  let stopped = false;
  let n = 0;
  const client = async () => {
    while (!stopped) {
      const i = n++;
      const agent = `${options.prefix}-${i}`;
      const server = servers[i % servers.length]!;
      const path = i % 2 === 0 ? paths.open : paths.click;
      try {
        const res = await fetch(server.baseUrl + path, { redirect: 'manual', headers: { 'user-agent': agent } });
        await res.arrayBuffer();
        if (res.status === (i % 2 === 0 ? 200 : 302)) answered.push(agent);
        else failures.push(`${agent}: ${res.status}`);
      } catch (err) {
        failures.push(`${agent}: ${(err as Error).message}`);
      }
      if (options.pauseMs > 0) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  };
  const clients = Array.from({ length: options.clients }, client);
  return {
    answered,
    failures,
    async stop() {
      stopped = true;
      await Promise.all(clients);
    },
  };
}

/** Every event of an email, read through the API page by page. */
export async function emailEvents(server: ChildServer, key: string, emailId: string): Promise<Array<{ id: string; type: string; user_agent: string | null }>> {
  const all: Array<{ id: string; type: string; user_agent: string | null }> = [];
  let after = '';
  for (;;) {
    const page = (await api(server, key, 'GET', `/v1/emails/${emailId}/events?limit=100${after}`)) as {
      data: Array<{ id: string; type: string; user_agent: string | null }>;
      next_cursor: string | null;
    };
    all.push(...page.data);
    if (!page.next_cursor) return all;
    after = `&after=${page.next_cursor}`;
  }
}

/** The opens and clicks of an email, once their count reaches `expected` (or the time is up). */
export async function hitEvents(server: ChildServer, key: string, emailId: string, expected: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = (await emailEvents(server, key, emailId)).filter((e) => e.type === 'opened' || e.type === 'clicked');
    if (events.length >= expected || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 250));
  }
}
