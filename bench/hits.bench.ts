/**
 * Hit commits by where the hits land: the store's group commit (HitRecorder → store), 50 hits in
 * flight as in the tracking benchmark, without HTTP.
 *
 * - one email: every hit on the same small email, as in `npm run bench` (the reference, 1.00×);
 * - first opens, small bodies: each hit the first open of a different email with a 100-byte body;
 * - first opens, newsletter bodies: the same with the 60 KB newsletter (bench/fixtures) as the body,
 *   which is what real traffic looks like: most opens are an email's first.
 *
 * On SQLite (a file in a temp dir, the default settings) and on PostgreSQL when one is reachable
 * on 127.0.0.1 (WAYMARK_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres).
 * BENCH_HIT_EMAILS sets the number of emails per spread row (default 20,000).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from '../src/adapters/store/open-store.js';
import { newId } from '../src/lib/ids.js';
import type { Store } from '../src/ports/store.js';
import { HitRecorder } from '../src/services/hit-recorder.js';
import { createBenchDatabase, postgresAdminUrl } from './postgres.js';

const EMAILS = Number(process.env.BENCH_HIT_EMAILS ?? 20_000);
const IN_FLIGHT = 50;
const NEWSLETTER = readFileSync(path.join(import.meta.dirname, 'fixtures', 'newsletter.html'), 'utf8');
const SMALL = '<p>' + 'x'.repeat(93) + '</p>';

interface Row {
  backend: string;
  workload: string;
  hitsPerSec: number;
  cpuUsPerHit: number;
}

async function createEmails(store: Store, projectId: string, html: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await store.emails.create({
      id: newId(), projectId, from: 'Acme <news@acme.test>', to: ['ann@example.org'], cc: [], bcc: [], replyTo: [],
      subject: 'Hello', html, text: null, headers: {}, tags: [{ name: 'campaign', value: 'bench' }], trackOpens: true, trackClicks: false,
      links: [], status: 'captured', statusDetail: null, messageId: null, nextAttemptAt: null, createdAt: Date.now(), sentAt: Date.now(),
    });
    if (created.outcome !== 'created') throw new Error('email not created');
    ids.push(created.email.id);
  }
  return ids;
}

/** Commits one opened hit per entry of `emailIds`, IN_FLIGHT at a time, each awaited as a tracking route would. */
async function commitHits(store: Store, emailIds: readonly string[]): Promise<{ hitsPerSec: number; cpuUsPerHit: number }> {
  const recorder = new HitRecorder(store.events);
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < emailIds.length) {
        const emailId = emailIds[next++]!;
        await recorder.record({ id: newId(), emailId, type: 'opened', createdAt: Date.now(), ip: '203.0.113.7', userAgent: 'Mozilla/5.0', referer: null, linkIndex: null, url: null });
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  return { hitsPerSec: emailIds.length / seconds, cpuUsPerHit: (used.user + used.system) / emailIds.length };
}

async function runBackend(backend: string, url: string): Promise<Row[]> {
  const store = await openStore(url);
  try {
    await store.migrate();
    const projectId = newId();
    await store.projects.create({ id: projectId, name: 'bench', isDefault: false, createdAt: Date.now() });
    const [one] = await createEmails(store, projectId, SMALL, 1);
    const rows: Row[] = [];
    rows.push({ backend, workload: 'one email, every hit on it', ...(await commitHits(store, Array(EMAILS).fill(one!))) });
    rows.push({ backend, workload: `first opens of ${EMAILS} emails, 100 B bodies`, ...(await commitHits(store, await createEmails(store, projectId, SMALL, EMAILS))) });
    rows.push({
      backend,
      workload: `first opens of ${EMAILS} emails, ${Math.round(NEWSLETTER.length / 1024)} KB bodies`,
      ...(await commitHits(store, await createEmails(store, projectId, NEWSLETTER, EMAILS))),
    });
    return rows;
  } finally {
    await store.close();
  }
}

const rows: Row[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'waymark-hits-bench-'));
try {
  rows.push(...(await runBackend('SQLite', `sqlite:${path.join(dir, 'waymark.db')}`)));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const made = await createBenchDatabase(postgresAdminUrl().url);
let postgresNote = '';
if ('unavailable' in made) postgresNote = `PostgreSQL not measured: ${made.unavailable}`;
else {
  try {
    rows.push(...(await runBackend('PostgreSQL', made.url)));
  } finally {
    await made.drop();
  }
}

console.log(`Hit commits, ${IN_FLIGHT} in flight, node ${process.version}; × one email: hits/s against the first row of the same backend\n`);
console.log('| backend | workload | hits/s | × one email | CPU µs/hit (this process) |');
console.log('|---|---|---:|---:|---:|');
for (const r of rows) {
  const reference = rows.find((x) => x.backend === r.backend)!;
  console.log(`| ${r.backend} | ${r.workload} | ${Math.round(r.hitsPerSec).toLocaleString('en-US')} | ${(r.hitsPerSec / reference.hitsPerSec).toFixed(2)}× | ${r.cpuUsPerHit.toFixed(1)} |`);
}
if (postgresNote) console.log(`\n${postgresNote}`);
