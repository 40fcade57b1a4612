/**
 * Hit commits by where the hits land: the store's group commit (HitRecorder → store), 50 hits in
 * flight as in the tracking benchmark, without HTTP.
 *
 * - one email: every hit on the same small email, as in `npm run bench` (the reference, 1.00×);
 * - first opens, small bodies: each hit the first open of a different email with a 100-byte body;
 * - first opens, newsletter bodies: the same with the 60 KB newsletter (bench/fixtures) as the body,
 *   which is what real traffic looks like: most opens are an email's first.
 *
 * Then the journal's path: the same kind of hits appended to a node's journal (batches of 1,000,
 * each fsynced, as the tracking routes' group commit does), and the time the ingester takes to move
 * them into the store (batches of 5,000). Goal: PostgreSQL ingests ≥ 80,000 events/s.
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
import { openFileJournal } from '../src/adapters/journal/file-journal.js';
import type { TrackingHit } from '../src/ports/store.js';
import { HitIngester } from '../src/services/hit-ingester.js';
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
  const recorder = HitRecorder.direct(store.events);
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

const INGEST_GOAL = 80_000;

interface IngestRow {
  backend: string;
  hits: number;
  appendPerSec: number;
  ingestPerSec: number;
}

/** Appends `perEmail` first-and-later opens of each email to a fresh journal, then drains it into the store. */
async function ingestFromJournal(store: Store, backend: string, emailIds: readonly string[], perEmail: number): Promise<IngestRow> {
  const dir = mkdtempSync(path.join(tmpdir(), 'waymark-journal-bench-'));
  const journal = await openFileJournal(dir, { maxBytes: Number.MAX_SAFE_INTEGER });
  try {
    const hits: TrackingHit[] = [];
    for (let round = 0; round < perEmail; round++) {
      for (const emailId of emailIds) {
        hits.push({ id: newId(), emailId, type: round % 3 === 2 ? 'clicked' : 'opened', createdAt: Date.now(), ip: '203.0.113.7', userAgent: 'Mozilla/5.0', referer: null, linkIndex: null, url: null });
      }
    }
    let started = performance.now();
    for (let i = 0; i < hits.length; i += 1000) await journal.append(hits.slice(i, i + 1000));
    const appendPerSec = hits.length / ((performance.now() - started) / 1000);
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    started = performance.now();
    const moved = await new HitIngester(journal, store.events, quiet, Date.now, { batchHits: 5_000 }).drain();
    const ingestPerSec = moved / ((performance.now() - started) / 1000);
    if (moved !== hits.length) throw new Error(`ingested ${moved} of ${hits.length} hits`);
    return { backend, hits: hits.length, appendPerSec, ingestPerSec };
  } finally {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ingestRows: IngestRow[] = [];

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
    ingestRows.push(await ingestFromJournal(store, backend, await createEmails(store, projectId, SMALL, EMAILS), 5));
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
console.log(`\nThrough the journal: hits appended in batches of 1,000 (one fsync each), then ingested into the store in batches of 5,000`);
console.log('| backend | hits | journal append, hits/s | ingest, events/s | × direct commit (first opens, 100 B) | goal |');
console.log('|---|---:|---:|---:|---:|---|');
for (const r of ingestRows) {
  const direct = rows.find((x) => x.backend === r.backend && x.workload.includes('100 B'))!;
  const goal = r.backend === 'PostgreSQL' ? `≥ ${INGEST_GOAL.toLocaleString('en-US')}/s: ${r.ingestPerSec >= INGEST_GOAL ? 'met' : 'NOT MET'}` : '—';
  console.log(`| ${r.backend} | ${r.hits.toLocaleString('en-US')} | ${Math.round(r.appendPerSec).toLocaleString('en-US')} | ${Math.round(r.ingestPerSec).toLocaleString('en-US')} | ${(r.ingestPerSec / direct.hitsPerSec).toFixed(2)}× | ${goal} |`);
}
if (postgresNote) console.log(`\n${postgresNote}`);
