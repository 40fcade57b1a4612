import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/support/backends.js';
import { openTestStore } from '../../test/support/databases.js';
import { openFileJournal } from '../adapters/journal/file-journal.js';
import { hit, newEmail } from '../adapters/store/contracts/store.contract.js';
import { newId } from '../lib/ids.js';
import type { HitJournal } from '../ports/hit-journal.js';
import type { EventRepository, Store, TrackingHit } from '../ports/store.js';
import { HitIngester } from './hit-ingester.js';
import { HitRecorder } from './hit-recorder.js';

const T0 = 1_760_000_000_000;
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe.each(backends())('HitIngester on %s', (backend) => {
  let store: Store;
  let closeStore: () => Promise<void>;
  let projectId: string;
  const dirs: string[] = [];
  const journals: HitJournal[] = [];

  beforeAll(async () => {
    ({ store, close: closeStore } = await openTestStore(backend));
    projectId = (await store.projects.create({ id: newId(), name: 'p', isDefault: true, createdAt: T0 })).id;
  });
  afterEach(async () => {
    for (const j of journals.splice(0)) await j.close();
  });
  afterAll(async () => {
    await closeStore();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function journal(dir = mkdtempSync(path.join(tmpdir(), 'waymark-ingest-'))): Promise<{ journal: HitJournal; dir: string }> {
    if (!dirs.includes(dir)) dirs.push(dir);
    const j = await openFileJournal(dir, { maxBytes: 1 << 30, segmentBytes: 4096 });
    journals.push(j);
    return { journal: j, dir };
  }

  async function email(): Promise<string> {
    const created = await store.emails.create(newEmail(projectId, { status: 'captured', sentAt: T0 }));
    if (created.outcome !== 'created') throw new Error('email not created');
    return created.email.id;
  }

  const opens = (emailId: string, n: number, from = 0): TrackingHit[] =>
    Array.from({ length: n }, (_, i) => hit(emailId, 'opened', T0 + from + i, { userAgent: `ua-${from + i}` }));

  async function agentsOf(emailId: string): Promise<string[]> {
    const events = await store.events.list(projectId, { emailId, type: 'opened', limit: 10_000 });
    return events.map((e) => e.userAgent!).sort();
  }

  it('moves every journaled hit into the store once, across segments and restarts', async () => {
    const emailId = await email();
    const { journal: first, dir } = await journal();
    for (let b = 0; b < 10; b++) await first.append(opens(emailId, 20, b * 20));
    const ingester = new HitIngester(first, store.events, quiet, Date.now, { batchHits: 64 });
    expect(await ingester.drain()).toBe(200);
    expect(await ingester.drain()).toBe(0);
    await first.append(opens(emailId, 5, 200));
    await first.close();
    journals.splice(journals.indexOf(first), 1);

    // A new process on the same journal: it resumes where the store says, never from the start.
    const { journal: second } = await journal(dir);
    const again = new HitIngester(second, store.events, quiet);
    expect(await again.drain()).toBe(5);
    const agents = await agentsOf(emailId);
    expect(agents).toHaveLength(205);
    expect(new Set(agents).size).toBe(205);
    expect(await store.emails.get(projectId, emailId)).toMatchObject({ openCount: 205 });
  });

  it('deletes the segments it has ingested', async () => {
    const emailId = await email();
    const { journal: j } = await journal();
    for (let b = 0; b < 20; b++) await j.append(opens(emailId, 20, b * 20));
    const grown = j.sizeBytes();
    expect(grown).toBeGreaterThan(3 * 4096);
    await new HitIngester(j, store.events, quiet).drain();
    expect(j.sizeBytes()).toBeLessThan(grown / 3);
  });

  it('skips a batch the store already holds (a COMMIT whose answer was lost), counting nothing twice', async () => {
    const emailId = await email();
    const { journal: j } = await journal();
    await j.append(opens(emailId, 10));
    // The store commits, then the answer is lost: the ingester sees an error and retries the batch.
    let lose = true;
    const losing: Pick<EventRepository, 'appendHits' | 'journalPosition' | 'syncIngested'> = {
      journalPosition: (id) => store.events.journalPosition(id),
      syncIngested: (id) => store.events.syncIngested(id),
      async appendHits(hits, mark) {
        await store.events.appendHits(hits, mark);
        if (lose) {
          lose = false;
          throw new Error('connection reset before the COMMIT answer');
        }
      },
    };
    const ingester = new HitIngester(j, losing, quiet);
    await expect(ingester.drain()).rejects.toThrow('connection reset');
    expect(await ingester.drain()).toBe(0);
    expect(await agentsOf(emailId)).toHaveLength(10);
    expect(await store.emails.get(projectId, emailId)).toMatchObject({ openCount: 10 });
  });

  it('keeps answering into the journal while the store fails, and catches up once it is back', async () => {
    const emailId = await email();
    const { journal: j } = await journal();
    let down = true;
    const flaky: Pick<EventRepository, 'appendHits' | 'journalPosition' | 'syncIngested'> = {
      journalPosition: (id) => store.events.journalPosition(id),
      syncIngested: (id) => store.events.syncIngested(id),
      appendHits: (hits, mark) => (down ? Promise.reject(new Error('connect ECONNREFUSED')) : store.events.appendHits(hits, mark)),
    };
    const ingester = new HitIngester(j, flaky, quiet, Date.now, { minBackoffMs: 10, maxBackoffMs: 40 });
    const recorder = HitRecorder.journaled(j, { onAppended: () => ingester.notify(), onDropped: () => {} });
    ingester.start();
    try {
      await Promise.all(opens(emailId, 50).map((h) => recorder.record(h)));
      await new Promise((r) => setTimeout(r, 100));
      const failing = ingester.status();
      expect(failing.failingSince).not.toBeNull();
      expect(failing.lastError).toContain('ECONNREFUSED');
      expect(failing.lagMs).toBeGreaterThan(0);
      expect(await agentsOf(emailId)).toEqual([]);

      down = false;
      await ingester.settled(5_000);
      for (let i = 0; i < 100 && (await agentsOf(emailId)).length < 50; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await agentsOf(emailId)).toHaveLength(50);
      expect(ingester.status()).toMatchObject({ failingSince: null, lastError: null, lagMs: 0, ingestedHits: 50 });
    } finally {
      await ingester.stop();
    }
  });

  it('settles a read once the hits answered before it are in the store', async () => {
    const emailId = await email();
    const { journal: j } = await journal();
    const ingester = new HitIngester(j, store.events, quiet);
    const recorder = HitRecorder.journaled(j, { onAppended: () => ingester.notify(), onDropped: () => {} });
    ingester.start();
    try {
      for (let round = 0; round < 5; round++) {
        await Promise.all(opens(emailId, 30, round * 30).map((h) => recorder.record(h)));
        await ingester.settled(5_000);
        expect(await agentsOf(emailId)).toHaveLength(30 * (round + 1));
      }
    } finally {
      await ingester.stop();
    }
  });
});
