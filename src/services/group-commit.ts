interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: every item that arrives while a batch is being written joins the next batch, and
 * each caller's promise settles once its batch is committed. One durable transaction then serves
 * many callers, so durability does not cost throughput.
 */
export class GroupCommit<T> {
  private queue: Pending<T>[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly write: (items: readonly T[]) => Promise<void>,
    private readonly maxBatch = 1000,
  ) {}

  record(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // setImmediate lets every caller already queued by this turn of the event loop join the batch.
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
          await this.write(batch.map((p) => p.item));
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
