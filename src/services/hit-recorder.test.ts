import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/support/backends.js';
import { openTestStore } from '../../test/support/databases.js';
import { hit, newEmail } from '../adapters/store/contracts/store.contract.js';
import { newId } from '../lib/ids.js';
import type { EventRepository, Store } from '../ports/store.js';
import { HitRecorder } from './hit-recorder.js';

const T0 = 1_760_000_000_000;

/** The real event repository, watched: how many batches were being written at once, and their sizes. */
function watched(events: EventRepository) {
  const seen = { inFlight: 0, maxInFlight: 0, batches: [] as number[] };
  const repo: EventRepository = {
    ...events,
    async appendHits(hits) {
      seen.inFlight += 1;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      seen.batches.push(hits.length);
      try {
        await events.appendHits(hits);
      } finally {
        seen.inFlight -= 1;
      }
    },
  };
  return { repo, seen };
}

describe.each(backends())('HitRecorder on %s', (backend) => {
  let store: Store;
  let closeStore: () => Promise<void>;
  let projectId: string;

  beforeAll(async () => {
    ({ store, close: closeStore } = await openTestStore(backend));
    projectId = (await store.projects.create({ id: newId(), name: 'p', isDefault: true, createdAt: T0 })).id;
  });
  afterAll(async () => {
    await closeStore();
  });

  it('writes every hit, one batch at a time, and settles each caller after its commit', async () => {
    const created = await store.emails.create(newEmail(projectId, { status: 'captured', sentAt: T0 }));
    if (created.outcome !== 'created') throw new Error('email not created');
    const emailId = created.email.id;
    const { repo, seen } = watched(store.events);
    const recorder = HitRecorder.direct(repo, 50);

    const settled: number[] = [];
    const hits = Array.from({ length: 400 }, (_, i) => hit(emailId, i % 2 ? 'opened' : 'clicked', T0 + i));
    await Promise.all(
      hits.map((h, i) =>
        recorder.record(h).then(async () => {
          // By the time a caller is answered, its own event is readable.
          const events = await store.events.list(projectId, { limit: 100, emailId, since: h.createdAt, until: h.createdAt + 1 });
          expect(events.map((e) => e.id)).toContain(h.id);
          settled.push(i);
        }),
      ),
    );
    await recorder.flush();

    expect(settled).toHaveLength(400);
    expect(seen.batches.reduce((a, b) => a + b, 0)).toBe(400);
    expect(Math.max(...seen.batches)).toBeLessThanOrEqual(50);
    expect(seen.maxInFlight).toBe(1);
    const email = await store.emails.get(projectId, emailId);
    expect([email?.openCount, email?.clickCount]).toEqual([200, 200]);
  });

  it('rejects the callers of a batch that fails, and goes on with the next batches', async () => {
    const created = await store.emails.create(newEmail(projectId, { status: 'captured', sentAt: T0 }));
    if (created.outcome !== 'created') throw new Error('email not created');
    const emailId = created.email.id;
    const recorder = HitRecorder.direct(store.events);
    // A hit id that is not a UUID makes the store refuse the whole batch.
    const bad = recorder.record({ ...hit(emailId, 'opened', T0), id: 'not-a-uuid' });
    const alsoInBatch = recorder.record(hit(emailId, 'opened', T0 + 1));
    await expect(bad).rejects.toThrow(/hit id/);
    await expect(alsoInBatch).rejects.toThrow(/hit id/);
    await recorder.record(hit(emailId, 'clicked', T0 + 2));
    const email = await store.emails.get(projectId, emailId);
    expect([email?.openCount, email?.clickCount]).toEqual([0, 1]);
  });
});
