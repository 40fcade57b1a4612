import { randomUUID } from 'node:crypto';
import { type FileHandle, link, mkdir, open, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeRecords, encodeRecords, scanRecords } from '../../core/journal/record.js';
import { isUuid } from '../../core/uuid.js';
import { type HitJournal, JOURNAL_START, type JournalAppend, type JournalPosition, type JournalRead } from '../../ports/hit-journal.js';
import type { TrackingHit } from '../../ports/store.js';

/** Damage found in a journal: a record skipped on read, or a torn tail cut off at open. */
export interface JournalCorruption {
  segment: number;
  offset: number;
  /** How many bytes the damage spans. */
  bytes: number;
  reason: string;
}

export interface FileJournalOptions {
  /** The cap on the segments' total size; a batch that would pass it is dropped. 0 or Infinity: none. */
  maxBytes: number;
  /** A segment is closed and the next begun once a batch would take it past this. */
  segmentBytes?: number;
  onCorrupt?: (report: JournalCorruption) => void;
  /**
   * For draining a dead node's journal: no appends and no repair of a torn tail (reads stop at the
   * last good record). Still takes the lock, so the owner must be gone; release still deletes.
   */
  readOnly?: boolean;
}

export interface FileJournal extends HitJournal {
  readonly dir: string;
  /** The segments' numbers, oldest first. */
  segments(): number[];
}

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const SEGMENT_NAME = /^(\d{16})\.seg$/;
const LOCK_FILE = 'lock';
const ID_FILE = 'journal-id';
/** An empty lock this young may be an opener that has not written its pid yet. */
const FRESH_LOCK_MS = 5_000;
/** A read starts with this much and doubles when a record does not fit. */
const MIN_READ_CHUNK = 64 * 1024;
const MAX_READ_CHUNK = 8 * 1024 * 1024;

/** How many of the hits appended by this process are kept in memory for the ingester. */
const RECENT_HITS = 50_000;

/** A batch appended by this process: where its records lie, and its hits. */
interface RecentBatch {
  segment: number;
  start: number;
  end: number;
  hits: readonly TrackingHit[];
}

/** Journal directories this process has open: the pid in a lock file cannot tell them apart. */
const openHere = new Set<string>();

interface Segment {
  number: number;
  /** Bytes written and fsynced: what readers may see. */
  size: number;
  /** Where reads must stop (the last good record, for a read-only journal's last segment). */
  readable: number;
}

export async function openFileJournal(dir: string, options: FileJournalOptions): Promise<FileJournal> {
  const resolved = path.resolve(dir);
  if (openHere.has(resolved)) throw new Error(`the journal ${resolved} is already open in this process`);
  const readOnly = options.readOnly ?? false;
  if (readOnly) {
    const s = await stat(resolved).catch(() => null);
    if (!s?.isDirectory()) throw new Error(`no journal at ${resolved}`);
  } else {
    await mkdir(resolved, { recursive: true, mode: 0o700 });
  }
  openHere.add(resolved);
  let lock: string | null = null;
  try {
    lock = await takeLock(resolved);
    const id = await journalId(resolved, readOnly);
    const journal = new FileJournalImpl(resolved, id, lock, options);
    await journal.load();
    return journal;
  } catch (err) {
    if (lock) await unlink(lock).catch(() => {});
    openHere.delete(resolved);
    throw err;
  }
}

class FileJournalImpl implements FileJournal {
  private list: Segment[] = [];
  /**
   * The batches this process appended last, in order: an ingester that keeps up reads them from here
   * instead of reading the file back and decoding it. The file stays the truth after a restart.
   */
  private recent: RecentBatch[] = [];
  private recentHits = 0;
  private total = 0;
  private dropped = 0;
  private writer: FileHandle | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Set when a failed write could not be undone: the segment no longer matches what we know. */
  private broken: unknown = null;
  private readonly readOnly: boolean;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;

  constructor(
    readonly dir: string,
    readonly id: string,
    private readonly lockPath: string,
    private readonly options: FileJournalOptions,
  ) {
    this.readOnly = options.readOnly ?? false;
    this.maxBytes = options.maxBytes > 0 ? options.maxBytes : Infinity;
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!(this.segmentBytes > 0)) throw new RangeError('segmentBytes must be positive');
  }

  async load(): Promise<void> {
    const numbers = (await readdir(this.dir))
      .map((name) => SEGMENT_NAME.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const number of numbers) {
      const { size } = await stat(this.segmentPath(number));
      this.list.push({ number, size, readable: size });
      this.total += size;
    }
    const last = this.list.at(-1);
    if (!last) return;
    // Only the last segment can end torn: a segment is only left behind once its writes are fsynced.
    const { goodEnd, reason } = await this.lastGoodEnd(last);
    if (goodEnd < last.size) {
      this.report({ segment: last.number, offset: goodEnd, bytes: last.size - goodEnd, reason: `${reason} at the end (${this.readOnly ? 'not read' : 'cut off'})` });
      if (this.readOnly) {
        last.readable = goodEnd;
      } else {
        const fh = await open(this.segmentPath(last.number), 'r+');
        try {
          await fh.truncate(goodEnd);
          await fh.datasync();
        } finally {
          await fh.close();
        }
        this.total -= last.size - goodEnd;
        last.size = last.readable = goodEnd;
      }
    }
    if (!this.readOnly) this.writer = await open(this.segmentPath(last.number), 'a', 0o600);
  }

  /** The end of the last whole record with a good checksum (damage before it is left to readers). */
  private async lastGoodEnd(seg: Segment): Promise<{ goodEnd: number; reason: string }> {
    const fh = await open(this.segmentPath(seg.number), 'r');
    try {
      let at = 0;
      let chunk = MAX_READ_CHUNK;
      while (at < seg.size) {
        const len = Math.min(chunk, seg.size - at);
        const buf = await readExactly(fh, at, len);
        const scan = scanRecords(buf);
        if (scan.tornTailAt === null) {
          at += len;
          continue;
        }
        if (at + len === seg.size) return { goodEnd: at + scan.tornTailAt, reason: scan.tailReason ?? 'damage' };
        if (scan.tornTailAt === 0) chunk *= 2;
        at += scan.tornTailAt;
      }
      return { goodEnd: seg.size, reason: '' };
    } finally {
      await fh.close();
    }
  }

  append(hits: readonly TrackingHit[]): Promise<JournalAppend> {
    if (this.closed) return Promise.reject(new Error('the journal is closed'));
    const run = this.chain.then(() => this.appendNow(hits));
    this.chain = run.catch(() => {});
    return run;
  }

  private async appendNow(hits: readonly TrackingHit[]): Promise<JournalAppend> {
    if (this.readOnly) throw new Error('the journal is open read-only');
    if (this.broken) throw new Error('the journal is unusable after a failed write', { cause: this.broken });
    if (hits.length === 0) return { written: 0, dropped: 0 };
    const buf = encodeRecords(hits);
    if (this.total + buf.length > this.maxBytes) {
      this.dropped += hits.length;
      return { written: 0, dropped: hits.length };
    }
    let seg = this.list.at(-1);
    if (!seg || !this.writer || (seg.size > 0 && seg.size + buf.length > this.segmentBytes)) seg = await this.rotate();
    const writer = this.writer!;
    try {
      for (let at = 0; at < buf.length; ) {
        const { bytesWritten } = await writer.write(buf, at, buf.length - at);
        at += bytesWritten;
      }
      await writer.datasync();
    } catch (err) {
      // Undo a partial write so the file ends where the records we know end; if that fails too,
      // stop appending rather than write after bytes we cannot account for.
      try {
        await writer.truncate(seg.size);
        await writer.datasync();
      } catch {
        this.broken = err;
      }
      throw err;
    }
    this.remember({ segment: seg.number, start: seg.size, end: seg.size + buf.length, hits });
    seg.size += buf.length;
    seg.readable = seg.size;
    this.total += buf.length;
    return { written: hits.length, dropped: 0 };
  }

  /** Starts the next segment; its directory entry is fsynced before any hit relies on it. */
  private async rotate(): Promise<Segment> {
    const number = (this.list.at(-1)?.number ?? 0) + 1;
    const fh = await open(this.segmentPath(number), 'ax', 0o600);
    try {
      await syncDir(this.dir);
    } catch (err) {
      await fh.close().catch(() => {});
      await unlink(this.segmentPath(number)).catch(() => {});
      throw err;
    }
    const old = this.writer;
    this.writer = fh;
    const seg = { number, size: 0, readable: 0 };
    this.list.push(seg);
    await old?.close();
    return seg;
  }

  private remember(batch: RecentBatch): void {
    this.recent.push(batch);
    this.recentHits += batch.hits.length;
    while (this.recentHits > RECENT_HITS && this.recent.length > 1) this.recentHits -= this.recent.shift()!.hits.length;
  }

  /** The batches in memory from `from` on, when `from` is where one of them starts. */
  private readRecent(from: JournalPosition, max: number): JournalRead | null {
    const first = this.recent.findIndex((b) => b.segment === from.segment && b.start === from.offset);
    // A batch larger than the read is split by the file path, which reads record by record.
    if (first < 0 || this.recent[first]!.hits.length > max) return null;
    // Whatever lies before the position is in the store: forget it.
    for (const b of this.recent.splice(0, first)) this.recentHits -= b.hits.length;
    const hits: TrackingHit[] = [];
    let last = this.recent[0]!;
    for (const b of this.recent) {
      if (hits.length > 0 && hits.length + b.hits.length > max) break;
      for (const h of b.hits) hits.push(h);
      last = b;
    }
    return { hits, end: { segment: last.segment, offset: last.end }, corrupt: 0 };
  }

  async read(from: JournalPosition, max: number): Promise<JournalRead> {
    if (this.closed) throw new Error('the journal is closed');
    const fromMemory = this.readRecent(from, max);
    if (fromMemory !== null) return fromMemory;
    const hits: TrackingHit[] = [];
    let corrupt = 0;
    let seg: Segment | undefined = this.list.find((s) => s.number >= from.segment);
    if (max <= 0 || !seg) return { hits, end: { ...from }, corrupt };
    // A position in a segment already released means that segment was read whole.
    let at = seg.number === from.segment ? from.offset : 0;
    for (;;) {
      // Captured once: an append in flight only raises it after its fsync.
      const limit = seg.readable;
      const number: number = seg.number;
      if (at < limit) {
        const fh = await open(this.segmentPath(number), 'r').catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return null; // released meanwhile
          throw err;
        });
        if (fh) {
          try {
            let chunk = Math.min(MAX_READ_CHUNK, Math.max(MIN_READ_CHUNK, (max - hits.length) * 512));
            while (at < limit && hits.length < max) {
              const len = Math.min(chunk, limit - at);
              const buf = await readExactly(fh, at, len);
              const decoded = decodeRecords(buf, 0, max - hits.length);
              for (const span of decoded.corrupt) {
                corrupt++;
                this.report({ segment: number, offset: at + span.offset, bytes: span.end - span.offset, reason: span.reason });
              }
              for (const hit of decoded.hits) hits.push(hit);
              if (decoded.tornTailAt === null) {
                at += decoded.end;
              } else if (at + len === limit) {
                // Whole bytes that no good record follows, in a segment nobody is writing to.
                corrupt++;
                this.report({ segment: number, offset: at + decoded.tornTailAt, bytes: len - decoded.tornTailAt, reason: decoded.tailReason ?? 'damage' });
                at = limit;
              } else {
                if (decoded.tornTailAt === 0) chunk *= 2;
                at += decoded.tornTailAt;
              }
            }
          } finally {
            await fh.close();
          }
        }
      }
      const next: Segment | undefined = this.list.find((s) => s.number > number);
      if (hits.length >= max || !next) {
        // Nothing read and nothing skipped: stay put, even across segments with nothing readable yet.
        if (hits.length === 0 && corrupt === 0) return { hits, end: { ...from }, corrupt };
        return { hits, end: { segment: number, offset: at }, corrupt };
      }
      seg = next;
      at = 0;
    }
  }

  async release(upTo: JournalPosition): Promise<void> {
    if (this.closed) throw new Error('the journal is closed');
    const last = this.list.at(-1);
    const gone = this.list.filter((s) => s.number < upTo.segment && s !== last);
    if (gone.length === 0) return;
    this.list = this.list.filter((s) => !gone.includes(s));
    for (const s of gone) {
      this.total -= s.size;
      await unlink(this.segmentPath(s.number)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
  }

  end(): JournalPosition {
    const last = this.list.at(-1);
    return last ? { segment: last.number, offset: last.readable } : { ...JOURNAL_START };
  }

  sizeBytes(): number {
    return this.total;
  }

  droppedHits(): number {
    return this.dropped;
  }

  segments(): number[] {
    return this.list.map((s) => s.number);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Appends already called finish; later ones are refused.
    this.closed = true;
    await this.chain;
    try {
      await this.writer?.close();
    } finally {
      this.writer = null;
      await unlink(this.lockPath).catch(() => {});
      openHere.delete(this.dir);
    }
  }

  private segmentPath(number: number): string {
    return path.join(this.dir, `${String(number).padStart(16, '0')}.seg`);
  }

  private report(c: JournalCorruption): void {
    this.options.onCorrupt?.(c);
  }
}

async function readExactly(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) throw new Error(`journal segment shorter than expected (${position + got} < ${position + length})`);
    got += bytesRead;
  }
  return buf;
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The journal's id, made on first open (written whole, via a rename, so it is never half there). */
async function journalId(dir: string, readOnly: boolean): Promise<string> {
  const file = path.join(dir, ID_FILE);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (text !== null) {
    const id = text.trim();
    if (!isUuid(id)) throw new Error(`${file} does not hold a journal id`);
    return id;
  }
  if (readOnly) throw new Error(`no journal at ${dir} (it has no ${ID_FILE})`);
  const id = randomUUID();
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(`${id}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncDir(dir);
  return id;
}

/**
 * Takes the journal's lock: a file holding the owner's pid, created exclusively. A lock whose
 * process is gone (a kill -9) is taken over; one whose process runs is refused.
 */
async function takeLock(dir: string): Promise<string> {
  const lock = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readLock(lock);
    if (holder === undefined) continue; // released meanwhile
    if (holder.pid === null && Date.now() - holder.mtimeMs < FRESH_LOCK_MS) {
      throw new Error(`the journal ${dir} is being locked by another process`);
    }
    if (holder.pid !== null && holder.pid !== process.pid && isAlive(holder.pid)) {
      throw new Error(
        `the journal ${dir} is locked by process ${holder.pid}, which is still running; ` +
          `if that process is not Waymark, remove ${lock}`,
      );
    }
    // Stale (its process is gone, or it is our own pid from an earlier life of this container):
    // move it aside, and put it back if another opener took it over in between.
    const aside = `${lock}.stale.${process.pid}`;
    try {
      await rename(lock, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const moved = await readLock(aside);
    if (moved?.pid !== holder.pid) await link(aside, lock).catch(() => {});
    await unlink(aside).catch(() => {});
  }
  throw new Error(`could not take the lock of the journal ${dir}`);
}

/** A lock file's pid (null when it holds none: a crash, or an opener between create and write). */
async function readLock(file: string): Promise<{ pid: number | null; mtimeMs: number } | undefined> {
  try {
    const [text, { mtimeMs }] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    const pid = Number(text.trim());
    return { pid: text.trim() !== '' && Number.isInteger(pid) && pid > 0 ? pid : null, mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
