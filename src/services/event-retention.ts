import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

export const DAY_MS = 86_400_000;
/** Rows per DELETE: a few milliseconds of write lock on SQLite, so tracking writes slip in between. */
export const PURGE_BATCH = 1_000;

export interface EventRetentionOptions {
  /** Events older than this are purged (WAYMARK_EVENT_RETENTION_DAYS, in ms). */
  retentionMs: number;
  batch?: number;
  /** Pause between two batches, so the purge never hogs the store (SQLite has one writer). */
  pauseMs?: number;
}

/**
 * WAYMARK_EVENT_RETENTION_DAYS: purges raw events (`email_events`) older than the retention, in
 * bounded batches. Only raw events go: the analytics rollups, the emails' counters and first
 * open/click times stay, so analytics answer the same before and after. An event a pending webhook
 * delivery still needs is kept until that delivery is delivered or failed (see the store port).
 */
export class EventRetention {
  private readonly batch: number;
  private readonly pauseMs: number;
  private stopping = false;

  constructor(
    private readonly store: Pick<Store, 'events'>,
    private readonly clock: Clock,
    private readonly options: EventRetentionOptions,
  ) {
    if (!Number.isSafeInteger(options.retentionMs) || options.retentionMs <= 0) throw new RangeError('retentionMs must be a positive integer');
    this.batch = options.batch ?? PURGE_BATCH;
    this.pauseMs = options.pauseMs ?? 5;
  }

  /** Everything created before this is due for purging now. */
  cutoff(): number {
    return this.clock.now() - this.options.retentionMs;
  }

  /** One pass: purges batch after batch until nothing older than the retention is left. Returns the count. */
  async purge(): Promise<number> {
    const before = this.cutoff();
    let total = 0;
    while (!this.stopping) {
      const n = await this.store.events.purgeBefore(before, this.batch);
      total += n;
      if (n < this.batch) break;
      await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
    }
    return total;
  }

  /** Ends a running pass after its current batch (shutdown). */
  stop(): void {
    this.stopping = true;
  }
}
