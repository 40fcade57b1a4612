export interface OutageLogger {
  error(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
}

export interface OutageMessages {
  /** The first failure after a success. */
  failed: string;
  /** Repeated, at most once a minute, while the failures go on. */
  stillFailing: string;
  /** The first success after failures. */
  recovered: string;
}

/** While a loop keeps failing (the database is away), the log says so once a minute, not once a try. */
const REPEAT_MS = 60_000;

/**
 * The state of a loop that retries against a store: since when it fails and why, logged when it
 * starts failing, once a minute while it goes on, and when it recovers.
 */
export class OutageLog {
  failingSince: number | null = null;
  lastError: string | null = null;
  private failures = 0;
  private loggedAt = 0;

  constructor(
    private readonly log: OutageLogger,
    private readonly messages: OutageMessages,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a failure; `facts` go into the repeated log line. */
  failed(err: unknown, facts: Record<string, unknown> = {}): void {
    const now = this.now();
    this.failures += 1;
    this.lastError = err instanceof Error ? err.message : String(err);
    if (this.failingSince === null) {
      this.failingSince = now;
      this.loggedAt = now;
      this.log.error({ err }, this.messages.failed);
    } else if (now - this.loggedAt >= REPEAT_MS) {
      this.loggedAt = now;
      this.log.error({ err, failures: this.failures, failingForMs: now - this.failingSince, ...facts }, this.messages.stillFailing);
    }
  }

  succeeded(): void {
    if (this.failingSince === null) return;
    this.log.info?.({ failures: this.failures, failedForMs: this.now() - this.failingSince }, this.messages.recovered);
    this.failingSince = null;
    this.lastError = null;
    this.failures = 0;
  }
}
