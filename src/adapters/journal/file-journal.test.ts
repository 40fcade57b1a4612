import { type ChildProcess, spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, readdir, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeRecords } from '../../core/journal/record.js';
import { isUuid } from '../../core/uuid.js';
import { JOURNAL_START, type JournalPosition } from '../../ports/hit-journal.js';
import { isAtOrPast } from '../../ports/journal-position.js';
import type { TrackingHit } from '../../ports/store.js';
import { type FileJournal, type FileJournalOptions, type JournalCorruption, openFileJournal } from './file-journal.js';
import { sampleHits } from './sample-hits.test-helpers.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Bytes that hits from..from+count take in a segment (they vary a little in size). */
const bytes = (from: number, count: number) => encodeRecords(sampleHits(from, count)).length;
/** About one record: for sizing segments only. */
const RECORD = bytes(0, 1);

let tmp: string;
let dir: string;
const opened: FileJournal[] = [];
const children: ChildProcess[] = [];

beforeEach(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'waymark-journal-'));
  dir = path.join(tmp, 'journal');
});

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const j of opened.splice(0)) await j.close();
  await rm(tmp, { recursive: true, force: true });
});

async function open(options: Partial<FileJournalOptions> = {}): Promise<FileJournal> {
  const j = await openFileJournal(dir, { maxBytes: 0, ...options });
  opened.push(j);
  return j;
}

async function close(j: FileJournal): Promise<void> {
  opened.splice(opened.indexOf(j), 1);
  await j.close();
}

/** Reads on until nothing is left, `max` hits at a time. */
async function readAll(j: FileJournal, from: JournalPosition = JOURNAL_START, max = 1000) {
  const hits: TrackingHit[] = [];
  let corrupt = 0;
  let at = from;
  for (let i = 0; i < 100_000; i++) {
    const r = await j.read(at, max);
    expect(r.hits.length).toBeLessThanOrEqual(max);
    hits.push(...r.hits);
    corrupt += r.corrupt;
    if (r.hits.length === 0 && r.corrupt === 0 && isAtOrPast(at, r.end)) return { hits, corrupt, end: at };
    at = r.end;
  }
  throw new Error('the reads never ended');
}

const segmentFile = (n: number) => path.join(dir, `${String(n).padStart(16, '0')}.seg`);
const fileMode = async (p: string) => (await stat(p)).mode & 0o777;

async function appendBatches(j: FileJournal, sizes: number[], from = 0): Promise<number> {
  let n = from;
  for (const size of sizes) {
    expect(await j.append(sampleHits(n, size))).toEqual({ written: size, dropped: 0 });
    n += size;
  }
  return n;
}

describe('file journal', () => {
  it('reads back every hit in order, across segments, in reads of any size', async () => {
    const j = await open({ segmentBytes: 6 * RECORD });
    const sizes = [1, 5, 3, 8, 2, 7, 1, 1, 4, 6, 9, 2];
    const total = await appendBatches(j, sizes);
    const all = sampleHits(0, total);
    expect(j.segments().length).toBeGreaterThan(4);
    expect(j.segments()).toEqual(j.segments().map((_, i) => i + 1));
    for (const max of [1, 3, 7, 1000]) expect((await readAll(j, JOURNAL_START, max)).hits).toEqual(all);
    // A read from the middle of a segment, and the end it reports.
    const first = await j.read(JOURNAL_START, 4);
    expect(first.hits).toEqual(all.slice(0, 4));
    const rest = await readAll(j, first.end);
    expect(rest.hits).toEqual(all.slice(4));
    expect(rest.end).toEqual(j.end());
    expect(await j.read(j.end(), 10)).toEqual({ hits: [], end: j.end(), corrupt: 0 });

    // Files: the directory 0700, the rest 0600, sizes kept in memory right.
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['journal-id', 'lock', ...j.segments().map((n) => path.basename(segmentFile(n)))].sort());
    expect(await fileMode(dir)).toBe(0o700);
    for (const f of files) expect(await fileMode(path.join(dir, f))).toBe(0o600);
    expect(isUuid(j.id)).toBe(true);
    expect((await readFile(path.join(dir, 'journal-id'), 'utf8')).trim()).toBe(j.id);
    expect((await readFile(path.join(dir, 'lock'), 'utf8')).trim()).toBe(String(process.pid));
    let onDisk = 0;
    for (const n of j.segments()) onDisk += (await stat(segmentFile(n))).size;
    expect(j.sizeBytes()).toBe(onDisk);
    expect(onDisk).toBe(encodeRecords(all).length);
  });

  it('serves a reader that keeps up from memory, with exactly what the file holds', async () => {
    const j = await open({ segmentBytes: bytes(0, 25) });
    const positions: JournalPosition[] = [];
    let n = 0;
    for (const size of [5, 9, 1, 14, 3, 8]) {
      n = await appendBatches(j, [size], n);
      positions.push(j.end());
    }
    // From each batch boundary, this process's reads (memory) and a fresh opener's (the file) agree.
    const fromMemory = [];
    for (const p of positions.slice(0, -1)) fromMemory.push(await readAll(j, p, 10));
    await close(j);
    const reopened = await open({ segmentBytes: bytes(0, 25) });
    for (const [i, p] of positions.slice(0, -1).entries()) {
      const fromFile = await readAll(reopened, p, 10);
      expect(fromMemory[i]!.hits).toEqual(fromFile.hits);
      expect(fromMemory[i]!.end).toEqual(fromFile.end);
    }
    expect(fromMemory[0]!.hits).toEqual(sampleHits(5, n - 5));
  });

  it('reopens where it left off: same id, old records readable, numbering continued', async () => {
    const j1 = await open({ segmentBytes: 4 * RECORD });
    const n1 = await appendBatches(j1, [3, 3, 3, 3]);
    const segments1 = j1.segments();
    const id = j1.id;
    await close(j1);
    expect(await readdir(dir)).not.toContain('lock');

    const j2 = await open({ segmentBytes: 4 * RECORD });
    expect(j2.id).toBe(id);
    expect(j2.segments()).toEqual(segments1);
    expect(j2.end()).toEqual({ segment: segments1.at(-1), offset: (await stat(segmentFile(segments1.at(-1)!))).size });
    expect((await readAll(j2)).hits).toEqual(sampleHits(0, n1));
    const n2 = await appendBatches(j2, [3, 3, 3], n1);
    expect(j2.segments().slice(0, segments1.length)).toEqual(segments1);
    expect(j2.segments()).toEqual(j2.segments().map((_, i) => i + 1));
    expect(j2.segments().length).toBeGreaterThan(segments1.length);
    expect((await readAll(j2)).hits).toEqual(sampleHits(0, n2));
  });

  it('cuts a torn tail at open, never reads the torn hit, and appends after it', async () => {
    const j1 = await open();
    await appendBatches(j1, [4, 4]);
    await close(j1);
    const full = (await stat(segmentFile(1))).size;
    expect(full).toBe(bytes(0, 8));
    await truncate(segmentFile(1), full - 7);

    const reports: JournalCorruption[] = [];
    const j2 = await open({ onCorrupt: (r) => reports.push(r) });
    const cut = bytes(0, 7);
    expect(reports).toEqual([{ segment: 1, offset: cut, bytes: bytes(7, 1) - 7, reason: expect.stringMatching(/cut short.*cut off/) }]);
    expect((await stat(segmentFile(1))).size).toBe(cut);
    expect(j2.sizeBytes()).toBe(cut);
    expect((await readAll(j2)).hits).toEqual(sampleHits(0, 7));
    await j2.append(sampleHits(100, 3));
    const after = await readAll(j2);
    expect(after.hits).toEqual([...sampleHits(0, 7), ...sampleHits(100, 3)]);
    expect(after.corrupt).toBe(0);
    expect(reports).toHaveLength(1);
  });

  it('cuts a tail of zeros (a crash that grew the file but lost its data)', async () => {
    const j1 = await open();
    await appendBatches(j1, [5]);
    await close(j1);
    await appendFile(segmentFile(1), Buffer.alloc(4096));
    const reports: JournalCorruption[] = [];
    const j2 = await open({ onCorrupt: (r) => reports.push(r) });
    expect(reports).toEqual([{ segment: 1, offset: bytes(0, 5), bytes: 4096, reason: expect.stringMatching(/no record magic/) }]);
    await j2.append(sampleHits(5, 1));
    expect(await readAll(j2)).toMatchObject({ hits: sampleHits(0, 6), corrupt: 0 });
  });

  it('skips a bit-flipped record in the middle of a segment, reads the rest, and reports it', async () => {
    const segmentBytes = bytes(0, 10) + 10;
    const j1 = await open({ segmentBytes });
    await appendBatches(j1, [10, 10]);
    expect(j1.segments()).toEqual([1, 2]);
    await close(j1);
    // Record 5 of segment 1 (a closed segment) and record 3 of segment 2 (the last one).
    for (const [segment, offset] of [[1, bytes(0, 5)], [2, bytes(10, 3)]] as const) {
      const file = segmentFile(segment);
      const data = await readFile(file);
      data[offset + 20] = data[offset + 20]! ^ 0x10;
      await writeFile(file, data);
    }

    const reports: JournalCorruption[] = [];
    const j2 = await open({ segmentBytes, onCorrupt: (r) => reports.push(r) });
    expect(reports).toEqual([]); // damage before good records is no torn tail: nothing is cut
    const read = await readAll(j2, JOURNAL_START, 4);
    expect(read.hits).toEqual(sampleHits(0, 20).filter((h) => h.id !== 'hit-5' && h.id !== 'hit-13'));
    expect(read.corrupt).toBe(2);
    expect(reports).toEqual([
      { segment: 1, offset: bytes(0, 5), bytes: bytes(5, 1), reason: 'checksum mismatch' },
      { segment: 2, offset: bytes(10, 3), bytes: bytes(13, 1), reason: 'checksum mismatch' },
    ]);
  });

  it('releases only the segments wholly read, never the one being written', async () => {
    // One batch of 3 fits a segment, two do not.
    const j = await open({ segmentBytes: Math.round(1.5 * bytes(0, 3)) });
    await appendBatches(j, [3, 3, 3, 3, 3, 3]);
    expect(j.segments()).toEqual([1, 2, 3, 4, 5, 6]);
    const part = await j.read(JOURNAL_START, 8); // into segment 3
    expect(part.end).toEqual({ segment: 3, offset: bytes(6, 2) });
    const before = j.sizeBytes();
    await j.release(part.end);
    expect(j.segments()).toEqual([3, 4, 5, 6]);
    expect((await readdir(dir)).filter((f) => f.endsWith('.seg'))).toHaveLength(4);
    expect(j.sizeBytes()).toBe(before - bytes(0, 6));
    expect((await readAll(j, part.end)).hits).toEqual(sampleHits(8, 10));
    // From the start, a released segment reads as read: on from the first one left.
    expect((await readAll(j)).hits).toEqual(sampleHits(6, 12));

    await j.release({ segment: 99, offset: 0 });
    expect(j.segments()).toEqual([6]);
    await j.append(sampleHits(18, 1));
    expect((await readAll(j, { segment: 6, offset: 0 })).hits).toEqual(sampleHits(15, 4));
  });

  it('drops a whole batch that would pass the cap, and counts it', async () => {
    const j = await open({ maxBytes: bytes(0, 10), segmentBytes: Math.round(1.5 * bytes(0, 4)) });
    await appendBatches(j, [4, 4]);
    expect(await j.append(sampleHits(8, 3))).toEqual({ written: 0, dropped: 3 });
    expect(await j.append(sampleHits(8, 4))).toEqual({ written: 0, dropped: 4 });
    expect(j.droppedHits()).toBe(7);
    expect(await j.append(sampleHits(8, 2))).toEqual({ written: 2, dropped: 0 });
    expect(j.sizeBytes()).toBe(bytes(0, 10));
    const read = await readAll(j);
    expect(read.hits).toEqual(sampleHits(0, 10));
    // Once read and released, there is room again.
    await j.release(read.end);
    expect(await j.append(sampleHits(10, 3))).toEqual({ written: 3, dropped: 0 });
    expect(j.droppedHits()).toBe(7);
  });

  it('refuses a second opener while the lock holder lives, and takes over once it is dead', async () => {
    const j = await open();
    await expect(openFileJournal(dir, { maxBytes: 0 })).rejects.toThrow(/already open in this process/);
    await close(j);

    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(sleeper);
    await writeFile(path.join(dir, 'lock'), `${sleeper.pid}\n`);
    await expect(openFileJournal(dir, { maxBytes: 0 })).rejects.toThrow(new RegExp(`locked by process ${sleeper.pid}, which is still running`));
    await expect(openFileJournal(dir, { maxBytes: 0, readOnly: true })).rejects.toThrow(/locked by process/);
    expect((await readFile(path.join(dir, 'lock'), 'utf8')).trim()).toBe(String(sleeper.pid));

    const exited = new Promise((resolve) => sleeper.once('exit', resolve));
    sleeper.kill('SIGKILL');
    await exited;
    const taken = await open();
    expect((await readFile(path.join(dir, 'lock'), 'utf8')).trim()).toBe(String(process.pid));
    expect((await readdir(dir)).sort()).toEqual(['journal-id', 'lock']);
    await close(taken);
    expect(await readdir(dir)).toEqual(['journal-id']);
  });

  it('takes over a lock of its own pid (an earlier life, e.g. pid 1 in a container) or an old empty one', async () => {
    await close(await open());
    const lock = path.join(dir, 'lock');
    await writeFile(lock, `${process.pid}\n`);
    await close(await open());

    // Empty: a crash between creating the lock and writing its pid, or an opener doing just that.
    await writeFile(lock, '');
    await expect(openFileJournal(dir, { maxBytes: 0 })).rejects.toThrow(/being locked by another process/);
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await open();
    expect((await readFile(lock, 'utf8')).trim()).toBe(String(process.pid));
  });

  it('never reads a record whose append has not resolved', async () => {
    const j = await open({ segmentBytes: 40 * RECORD });
    let resolved = 0;
    let appended = 0;
    let sawInFlight = false;
    for (let batch = 0; batch < 25; batch++) {
      const size = 1 + (batch % 9);
      const pending = j.append(sampleHits(appended, size)).then((r) => {
        expect(r.written).toBe(size);
        resolved += size;
      });
      appended += size;
      let settled = false;
      void pending.then(() => (settled = true));
      do {
        const r = await j.read(JOURNAL_START, 10_000);
        expect(r.hits.length).toBeLessThanOrEqual(resolved);
        expect(r.hits).toEqual(sampleHits(0, r.hits.length));
        if (r.hits.length < appended) sawInFlight = true;
        // A read with nothing to read does no I/O: let the append's I/O run.
        await new Promise((resolve) => setImmediate(resolve));
      } while (!settled);
      await pending;
    }
    expect(sawInFlight).toBe(true);
    expect((await readAll(j)).hits).toEqual(sampleHits(0, appended));
  });

  it('opens read-only: no repair, reads stop at the last good record, appends refused', async () => {
    const j1 = await open();
    await appendBatches(j1, [6]);
    await close(j1);
    const full = (await stat(segmentFile(1))).size;
    await truncate(segmentFile(1), full - 3);

    await expect(openFileJournal(path.join(tmp, 'nothing'), { maxBytes: 0, readOnly: true })).rejects.toThrow(/no journal/);
    const reports: JournalCorruption[] = [];
    const j2 = await open({ readOnly: true, onCorrupt: (r) => reports.push(r) });
    expect(reports).toEqual([{ segment: 1, offset: bytes(0, 5), bytes: bytes(5, 1) - 3, reason: expect.stringMatching(/not read/) }]);
    expect((await stat(segmentFile(1))).size).toBe(full - 3);
    expect(await readAll(j2)).toMatchObject({ hits: sampleHits(0, 5), corrupt: 0 });
    expect(j2.end()).toEqual({ segment: 1, offset: bytes(0, 5) });
    await expect(j2.append(sampleHits(6, 1))).rejects.toThrow(/read-only/);
  });

  it('loses no answered hit to a kill -9 mid-stream, and reads back no garbage', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'append-child.test-helpers.ts'), dir, String(8 * RECORD)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        if (stdout.split('\n').length > 150) resolve();
      });
      void exited.then(() => reject(new Error(`the child exited early:\n${stderr}`)));
    });
    // While it lives, its lock holds.
    await expect(openFileJournal(dir, { maxBytes: 0 })).rejects.toThrow(new RegExp(`locked by process ${child.pid}`));
    child.kill('SIGKILL');
    await exited;

    const answered = stdout.split('\n').slice(0, -1); // a line cut by the kill is not an answer
    const lastAnswered = Number(answered.at(-1)!.replace('hit-', ''));
    const j = await open({ segmentBytes: 8 * RECORD });
    const read = await readAll(j, JOURNAL_START, 97);
    expect(read.corrupt).toBe(0);
    expect(read.hits.length).toBeGreaterThan(lastAnswered);
    expect(read.hits).toEqual(sampleHits(0, read.hits.length));
    expect(j.segments().length).toBeGreaterThan(10);
    // And the journal goes on.
    await j.append(sampleHits(read.hits.length, 2));
    expect((await readAll(j, read.end)).hits).toEqual(sampleHits(read.hits.length, 2));
  });
});
