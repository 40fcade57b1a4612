import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openFileJournal } from '../../src/adapters/journal/file-journal.js';
import { hit, newEmail } from '../../src/adapters/store/contracts/store.contract.js';
import { openStore } from '../../src/adapters/store/open-store.js';
import { newId } from '../../src/lib/ids.js';
import type { TrackingHit } from '../../src/ports/store.js';
import { runCli } from '../support/child-server.js';

const T0 = 1_760_000_000_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('waymark journal drain', () => {
  it("ingests a dead node's journal: the good records, once; a bit-flipped and a torn record are reported, never ingested", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'waymark-cli-journal-'));
    dirs.push(dataDir);
    const env = { WAYMARK_DATA_DIR: dataDir };
    const store = await openStore(`sqlite:${path.join(dataDir, 'waymark.db')}`);
    await store.migrate();
    const projectId = newId();
    await store.projects.create({ id: projectId, name: 'p', isDefault: true, createdAt: T0 });
    const created = await store.emails.create(newEmail(projectId, { status: 'captured', sentAt: T0 }));
    if (created.outcome !== 'created') throw new Error('no email');
    const emailId = created.email.id;

    // Another node's journal: 40 hits in 4 fsynced batches, then that node is gone.
    const journalDir = path.join(dataDir, 'node-b-journal');
    const journal = await openFileJournal(journalDir, { maxBytes: 1 << 30 });
    const written: TrackingHit[] = [];
    for (let b = 0; b < 4; b++) {
      const batch = Array.from({ length: 10 }, (_, i) => hit(emailId, 'opened', T0 + b * 10 + i, { userAgent: `ua-${b * 10 + i}` }));
      await journal.append(batch);
      written.push(...batch);
    }
    await journal.close();
    const segment = path.join(journalDir, readdirSync(journalDir).find((f) => f.endsWith('.seg'))!);
    // One bit flipped in the middle of the segment, and the last record cut short.
    const bytes = readFileSync(segment);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
    writeFileSync(segment, bytes);
    truncateSync(segment, statSync(segment).size - 7);

    const drained = await runCli(['journal', 'drain', journalDir], env);
    expect(drained.stderr).toMatch(/corrupt record skipped/);
    expect(drained.code).toBe(0);
    const ingested = Number(/: (\d+) hits ingested/.exec(drained.stderr)?.[1]);
    const events = await store.events.list(projectId, { emailId, type: 'opened', limit: 100 });
    const agents = events.map((e) => e.userAgent!);
    // The bit flip loses its record, the torn tail its last one: 38 of 40 hits, each once.
    expect(ingested).toBe(38);
    expect(agents).toHaveLength(38);
    expect(new Set(agents).size).toBe(38);
    for (const a of agents) expect(written.map((h) => h.userAgent)).toContain(a);
    expect(agents).not.toContain('ua-39');
    expect(await store.emails.get(projectId, emailId)).toMatchObject({ openCount: 38 });

    // Again: nothing more, nothing twice.
    const again = await runCli(['journal', 'drain', journalDir], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/: 0 hits ingested/);
    expect(await store.events.list(projectId, { emailId, type: 'opened', limit: 100 })).toHaveLength(38);
    await store.close();
  });

  it("refuses the journal of a node that is still running", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'waymark-cli-journal-'));
    dirs.push(dataDir);
    const journal = await openFileJournal(path.join(dataDir, 'journal'), { maxBytes: 1 << 30 });
    try {
      // This test process holds the lock, as a running node would.
      const res = await runCli(['journal', 'drain', path.join(dataDir, 'journal')], { WAYMARK_DATA_DIR: dataDir });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/lock|running|in use/i);
    } finally {
      await journal.close();
    }
  });
});
