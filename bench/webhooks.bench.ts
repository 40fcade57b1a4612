/**
 * Webhooks: events in versus deliveries out, with a local receiver in its own process.
 *
 * - events in: tracking hits committed through the group commit (HitRecorder → store), each with its
 *   outbox row, beside the same hits committed for a project with no endpoint (the outbox's cost);
 * - deliveries out: how fast the webhook worker drains those deliveries to the receiver, beside a bare
 *   loop POSTing the same signed payloads straight to it with the same concurrency (4, one endpoint's
 *   lane) and the same connection handling (a new connection per request): the ceiling.
 *
 * Only 127.0.0.1 is targeted. BENCH_WEBHOOK_EVENTS sets the number of events (default 10,000).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../src/bootstrap/logger.js';
import { createWaymark } from '../src/bootstrap/waymark.js';
import { loadConfig } from '../src/config/config.js';
import { parseKeyring } from '../src/core/tokens/index.js';
import { signWebhook } from '../src/core/webhooks/signature.js';
import { newId } from '../src/lib/ids.js';

const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 10_000);
const LANE = 4;
const DEADLINE_MS = 180_000;

const RECEIVER = `
const http = require('node:http');
let count = 0;
const server = http.createServer((req, res) => {
  if (req.method === 'GET') return res.end(String(count));
  req.on('data', () => {});
  req.on('end', () => { count++; res.end('ok'); });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function startReceiver() {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const url = `http://127.0.0.1:${port}/hooks`;
  const count = async () => Number(await (await fetch(`http://127.0.0.1:${port}/count`)).text());
  return { url, count, stop: () => child.kill() };
}

function post(url: string, headers: Record<string, string>, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The ceiling: the same signed payloads, POSTed by a bare loop, LANE at a time. */
async function barePosts(url: string, n: number): Promise<number> {
  const key = Buffer.alloc(32, 7);
  const body = JSON.stringify({
    type: 'email.opened',
    created_at: new Date().toISOString(),
    data: { email_id: newId(), from: 'Acme <news@acme.test>', to: ['ann@example.org'], subject: 'Hello', tags: [], created_at: new Date().toISOString(), open: { ip_address: '127.0.0.1', user_agent: 'bench', timestamp: new Date().toISOString() } },
  });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: LANE }, async () => {
      while (next < n) {
        next++;
        const id = `msg_${newId()}`;
        const timestamp = Math.floor(Date.now() / 1000);
        await post(url, { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook([key], { id, timestamp, body }) }, body);
      }
    }),
  );
  return n / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'waymark-bench-webhooks-'));
  const receiver = await startReceiver();
  const config = loadConfig({
    WAYMARK_DATA_DIR: dir,
    WAYMARK_DATABASE_URL: `sqlite:${path.join(dir, 'waymark.db')}`,
    WAYMARK_SECRET: 'bench:' + 'b'.repeat(40),
    WAYMARK_HOST: '127.0.0.1',
    PORT: '0',
    WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1',
    WAYMARK_LOG_LEVEL: 'silent',
  });
  const waymark = await createWaymark(config, { keyring: parseKeyring(config.secretSpec!), logger: createLogger('silent') });
  try {
    await waymark.listen();
    const store = waymark.store;
    const projectId = waymark.defaultProjectId;
    const quiet = newId();
    await store.projects.create({ id: quiet, name: 'no endpoints', isDefault: false, createdAt: Date.now() });
    const emailIn = async (project: string) => {
      const created = await store.emails.create({
        id: newId(), projectId: project, from: 'Acme <news@acme.test>', to: ['ann@example.org'], cc: [], bcc: [], replyTo: [],
        subject: 'Hello', html: '<p>Hi</p>', text: null, headers: {}, tags: [], trackOpens: true, trackClicks: false, links: [],
        status: 'captured', statusDetail: null, messageId: null, nextAttemptAt: null, createdAt: Date.now(), sentAt: Date.now(),
      });
      if (created.outcome !== 'created') throw new Error('email not created');
      return created.email.id;
    };
    const hitsInto = async (emailId: string): Promise<number> => {
      const started = performance.now();
      await Promise.all(
        Array.from({ length: EVENTS }, () =>
          waymark.recorder.record({ id: newId(), emailId, type: 'opened', createdAt: Date.now(), ip: '127.0.0.1', userAgent: 'bench', referer: null, linkIndex: null, url: null }),
        ),
      );
      return EVENTS / ((performance.now() - started) / 1000);
    };

    // Events in without an endpoint: the baseline of the group commit alone.
    const plainIn = await hitsInto(await emailIn(quiet));

    await store.webhooks.createEndpoint({
      id: newId(), projectId, url: receiver.url, description: null, events: ['email.opened'],
      secret: 'whsec_' + Buffer.alloc(32, 7).toString('base64'), enabled: true, createdAt: Date.now(), updatedAt: Date.now(),
    });
    const emailId = await emailIn(projectId);
    const before = await receiver.count();
    const started = performance.now();
    const withOutboxIn = await hitsInto(emailId);
    waymark.webhookWorker.nudge();
    while ((await receiver.count()) - before < EVENTS) {
      if (performance.now() - started > DEADLINE_MS) throw new Error('deliveries did not finish within the deadline');
      await new Promise((r) => setTimeout(r, 20));
    }
    const out = EVENTS / ((performance.now() - started) / 1000);
    const bare = await barePosts(receiver.url, EVENTS);

    const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(8);
    console.log('\nWaymark webhooks benchmark');
    console.log(`  machine: ${cpus().length} CPU(s), ${cpus()[0]?.model.trim()}; Node ${process.version}; SQLite; receiver in its own process on 127.0.0.1`);
    console.log(`  ${EVENTS.toLocaleString('en-US')} email.opened events, one endpoint, ${LANE} requests at once\n`);
    console.log('| measure | per second | ratio |');
    console.log('|---|---:|---:|');
    console.log(`| events in, no endpoint (group commit alone) | ${fmt(plainIn)} | 1.00× |`);
    console.log(`| events in, each with its outbox row | ${fmt(withOutboxIn)} | ${(withOutboxIn / plainIn).toFixed(2)}× |`);
    console.log(`| bare POST loop, same signed payloads (ceiling) | ${fmt(bare)} | 1.00× |`);
    console.log(`| deliveries out, from first event to last delivery | ${fmt(out)} | ${(out / bare).toFixed(2)}× |`);
  } finally {
    await waymark.close();
    receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
