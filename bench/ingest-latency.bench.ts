/**
 * How soon an answered hit is in the store, under normal load: hits arrive at a steady rate through
 * the tracking routes' path (group commit into the node's journal, then the ingester), and each hit's
 * delay is measured from the moment it would be answered (its journal append resolved) to the COMMIT
 * of the ingest transaction that holds it. Goal: p99 ≤ 100 ms. Baseline in the same run: the time to
 * answer itself (the journal append), which a client waits for anyway.
 *
 * On SQLite and, when reachable, on PostgreSQL (WAYMARK_BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres). BENCH_INGEST_RATE hits/s (default 2,000) for
 * BENCH_INGEST_SECONDS (default 10).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openFileJournal } from '../src/adapters/journal/file-journal.js';
import { openStore } from '../src/adapters/store/open-store.js';
import { newId } from '../src/lib/ids.js';
import type { EventRepository, TrackingHit } from '../src/ports/store.js';
import { HitIngester } from '../src/services/hit-ingester.js';
import { HitRecorder } from '../src/services/hit-recorder.js';
import { createBenchDatabase, postgresAdminUrl } from './postgres.js';

const RATE = Number(process.env.BENCH_INGEST_RATE ?? 2_000);
const SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 10);
const GOAL_P99_MS = 100;

interface Row {
  backend: string;
  hits: number;
  answerP50: number;
  answerP99: number;
  visibleP50: number;
  visibleP99: number;
  visibleMax: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(backend: string, url: string): Promise<Row> {
  const store = await openStore(url);
  const dir = mkdtempSync(path.join(tmpdir(), 'waymark-ingest-latency-'));
  const journal = await openFileJournal(dir, { maxBytes: Number.MAX_SAFE_INTEGER });
  try {
    await store.migrate();
    const projectId = newId();
    await store.projects.create({ id: projectId, name: 'bench', isDefault: false, createdAt: Date.now() });
    const emailIds: string[] = [];
    for (let i = 0; i < 200; i++) {
      const created = await store.emails.create({
        id: newId(), projectId, from: 'a@acme.test', to: ['b@example.org'], cc: [], bcc: [], replyTo: [], subject: 's', html: '<p>x</p>', text: null,
        headers: {}, tags: [], trackOpens: true, trackClicks: false, links: [], status: 'captured', statusDetail: null, messageId: null,
        nextAttemptAt: null, createdAt: Date.now(), sentAt: Date.now(),
      });
      if (created.outcome !== 'created') throw new Error('email not created');
      emailIds.push(created.email.id);
    }
    const answeredAt = new Map<string, number>();
    const visible: number[] = [];
    const answer: number[] = [];
    const watched: Pick<EventRepository, 'appendHits' | 'journalPosition' | 'syncIngested'> = {
      journalPosition: (id) => store.events.journalPosition(id),
      syncIngested: (id) => store.events.syncIngested(id),
      async appendHits(hits, mark) {
        await store.events.appendHits(hits, mark);
        const now = performance.now();
        for (const h of hits) {
          const at = answeredAt.get(h.id);
          if (at !== undefined) visible.push(now - at);
        }
      },
    };
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const ingester = new HitIngester(journal, watched, quiet);
    const recorder = HitRecorder.journaled(journal, { onAppended: () => ingester.notify(), onDropped: () => {} });
    ingester.start();
    const total = RATE * SECONDS;
    const started = performance.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      // Steady arrivals: hit i is due at i / RATE seconds.
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const hit: TrackingHit = {
        id: newId(), emailId: emailIds[i % emailIds.length]!, type: 'opened', createdAt: Date.now(), ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0', referer: null, linkIndex: null, url: null,
      };
      const sent = performance.now();
      pending.push(
        recorder.record(hit).then(() => {
          const now = performance.now();
          answer.push(now - sent);
          answeredAt.set(hit.id, now);
        }),
      );
    }
    await Promise.all(pending);
    await ingester.settled(30_000);
    await ingester.stop();
    visible.sort((a, b) => a - b);
    answer.sort((a, b) => a - b);
    if (visible.length !== total) throw new Error(`${visible.length} of ${total} hits reached the store`);
    return {
      backend,
      hits: total,
      answerP50: percentile(answer, 50),
      answerP99: percentile(answer, 99),
      visibleP50: percentile(visible, 50),
      visibleP99: percentile(visible, 99),
      visibleMax: visible.at(-1)!,
    };
  } finally {
    await journal.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'waymark-ingest-latency-db-'));
try {
  rows.push(await measure('SQLite', `sqlite:${path.join(dir, 'waymark.db')}`));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const made = await createBenchDatabase(postgresAdminUrl().url);
let note = '';
if ('unavailable' in made) note = `PostgreSQL not measured: ${made.unavailable}`;
else {
  try {
    rows.push(await measure('PostgreSQL', made.url));
  } finally {
    await made.drop();
  }
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
console.log(`Answered hit to stored event, ${RATE.toLocaleString('en-US')} hits/s for ${SECONDS} s, node ${process.version}\n`);
console.log('| backend | hits | answer p50 (journal fsync, baseline) | answer p99 | in the store p50 | p99 | max | goal: p99 ≤ 100 ms |');
console.log('|---|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  console.log(
    `| ${r.backend} | ${r.hits.toLocaleString('en-US')} | ${ms(r.answerP50)} | ${ms(r.answerP99)} | ${ms(r.visibleP50)} | ${ms(r.visibleP99)} | ${ms(r.visibleMax)} | ${r.visibleP99 <= GOAL_P99_MS ? 'met' : 'NOT MET'} |`,
  );
}
if (note) console.log(`\n${note}`);
