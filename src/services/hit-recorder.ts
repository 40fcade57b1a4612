import type { EventRepository, TrackingHit } from '../ports/store.js';

interface Pending {
  hit: TrackingHit;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for tracking hits: every hit that arrives while a batch is being written joins
 * the next batch, and each caller's promise settles once its batch is committed. One durable
 * transaction then serves many requests, so durability does not cost throughput.
 */
export class HitRecorder {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly events: EventRepository,
    private readonly maxBatch = 1000,
  ) {}

  record(hit: TrackingHit): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ hit, resolve, reject });
      // setImmediate lets every request already read by this turn of the event loop join the batch.
      this.running ??= new Promise<void>((done) => setImmediate(done)).then(() => this.drain());
    });
  }

  /** Resolves when everything recorded so far is written (or has failed). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.events.appendHits(batch.map((p) => p.hit));
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.running = null;
    }
  }
}
