import type { HitJournal } from '../ports/hit-journal.js';
import { type JournalPosition, isAtOrPast } from '../ports/journal-position.js';
import type { EventRepository } from '../ports/store.js';
import { OutageLog, type OutageLogger } from './outage-log.js';

export type IngesterLogger = OutageLogger;

export interface IngesterOptions {
  /** Hits per store transaction at most. */
  batchHits?: number;
  /** The first wait after a failure; it doubles up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** What /healthz and /v1/metrics report of the ingest. */
export interface IngestStatus {
  journalBytes: number;
  droppedHits: number;
  ingestedHits: number;
  corruptRecords: number;
  /** How old the oldest hit not yet in the store is, in ms (0 when the store is up to date). */
  lagMs: number;
  /** Since when the store has refused the ingest, or null. */
  failingSince: number | null;
  lastError: string | null;
}

const STALE = 'StaleJournalPosition';

/**
 * Moves the hits of this node's journal into the store, in large batches, each with the journal
 * position it reached in the same transaction. While the store is unreachable the journal grows
 * and the ingest retries with backoff; nothing already answered is lost or counted twice.
 */
export class HitIngester {
  private position: JournalPosition | null = null;
  /** Segments before this one are deleted: everything in them is durable in the store. */
  private releasedBefore = 0;
  private loop: Promise<void> | null = null;
  private stopped = true;
  private wake: (() => void) | null = null;
  /** Hits arrived since the last read began: the next sleep is skipped. */
  private notified = false;
  private waiters: Array<{ until: JournalPosition; resolve: () => void }> = [];
  private readonly batchHits: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private ingested = 0;
  private corrupt = 0;
  private oldestPendingAt: number | null = null;
  private readonly outage: OutageLog;

  constructor(
    private readonly journal: HitJournal,
    private readonly events: Pick<EventRepository, 'appendHits' | 'journalPosition' | 'syncIngested'>,
    log: IngesterLogger,
    private readonly now: () => number = Date.now,
    options: IngesterOptions = {},
  ) {
    this.outage = new OutageLog(
      log,
      {
        failed: 'hit ingest failed: hits stay in the journal and are retried',
        stillFailing: 'hit ingest still failing',
        recovered: 'hit ingest resumed: the store takes hits again',
      },
      now,
    );
    this.batchHits = options.batchHits ?? 5_000;
    this.minBackoffMs = options.minBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
  }

  /** Starts ingesting in the background. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** New hits are in the journal. */
  notify(): void {
    // While the store fails, the backoff decides when to try again, not the hit rate.
    if (this.outage.failingSince !== null) return;
    this.notified = true;
    this.wake?.();
  }

  /** Finishes the batch under way and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    this.loop = null;
    for (const w of [...this.waiters]) w.resolve();
  }

  /**
   * Ingests until the journal holds nothing more, then returns how many hits it moved. Throws if
   * the store fails. For a start (the backlog a crash left) and for `waymark journal drain`.
   */
  async drain(): Promise<number> {
    let moved = 0;
    for (;;) {
      const n = await this.ingestOnce();
      if (n === null) return moved;
      moved += n;
    }
  }

  /**
   * Resolves once every hit appended before the call is in the store, or after `timeoutMs`: a
   * read on this node then sees the hits this node answered.
   */
  settled(timeoutMs: number): Promise<void> {
    const until = this.journal.end();
    if (this.position !== null && isAtOrPast(this.position, until)) return Promise.resolve();
    // Stopped, or the store is away: waiting would not help the read.
    if (this.stopped || this.outage.failingSince !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        resolve();
      };
      const waiter = { until, resolve: done };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      this.waiters.push(waiter);
    });
  }

  status(): IngestStatus {
    return {
      journalBytes: this.journal.sizeBytes(),
      droppedHits: this.journal.droppedHits(),
      ingestedHits: this.ingested,
      corruptRecords: this.corrupt,
      lagMs: this.oldestPendingAt === null ? 0 : Math.max(0, this.now() - this.oldestPendingAt),
      failingSince: this.outage.failingSince,
      lastError: this.outage.lastError,
    };
  }

  /** One batch: the number of hits moved, or null when the journal had nothing after the position. */
  private async ingestOnce(): Promise<number | null> {
    this.position ??= await this.events.journalPosition(this.journal.id);
    const read = await this.journal.read(this.position, this.batchHits);
    if (read.hits.length === 0 && read.corrupt === 0 && isAtOrPast(this.position, read.end)) {
      this.oldestPendingAt = null;
      return null;
    }
    this.oldestPendingAt ??= read.hits[0]?.createdAt ?? null;
    try {
      await this.events.appendHits(read.hits, { journalId: this.journal.id, end: read.end });
    } catch (err) {
      // Already ingested (a commit whose answer was lost, or another drain): resume from the store's position.
      if ((err as Error | null)?.name === STALE) {
        this.position = null;
        return 0;
      }
      throw err;
    }
    this.position = read.end;
    this.ingested += read.hits.length;
    this.corrupt += read.corrupt;
    this.oldestPendingAt = null;
    if (read.end.segment > this.releasedBefore) {
      // Segments are deleted only once the store holds their hits durably.
      await this.events.syncIngested(this.journal.id);
      await this.journal.release(read.end);
      this.releasedBefore = read.end.segment;
    }
    for (const w of this.waiters.filter((w) => isAtOrPast(read.end, w.until))) w.resolve();
    return read.hits.length;
  }

  private async run(): Promise<void> {
    let backoff = this.minBackoffMs;
    while (!this.stopped) {
      try {
        this.notified = false;
        const moved = await this.ingestOnce();
        this.outage.succeeded();
        backoff = this.minBackoffMs;
        if (moved === null) await this.sleep(1_000);
      } catch (err) {
        this.outage.failed(err, { journalBytes: this.journal.sizeBytes() });
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
  }

  /** Waits `ms`, or less if new hits arrive or the ingester stops. */
  private sleep(ms: number): Promise<void> {
    if (this.notified && this.outage.failingSince === null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = () => done();
      this.wake = wake;
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wake === wake) self.wake = null;
        resolve();
      }
    });
  }
}
