export interface JobLogger {
  error(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
}

/** While passes keep failing (the database is away), the log says so once a minute, not once a pass. */
const REPEAT_FAILURE_LOG_MS = 60_000;

/**
 * A job that runs a pass every `pollMs`, or at once when nudged, one pass at a time. The email
 * delivery and the webhook delivery jobs are both this loop around their own pass.
 */
export class BackgroundJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private failingSince: number | null = null;
  private failures = 0;
  private loggedAt = 0;

  constructor(
    private readonly name: string,
    private readonly pass: () => Promise<unknown>,
    private readonly log: JobLogger,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Asks for a pass now (work was just queued). */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private failed(err: unknown): void {
    const now = Date.now();
    this.failures += 1;
    if (this.failingSince === null) {
      this.failingSince = now;
      this.loggedAt = now;
      this.log.error({ err }, `${this.name} pass failed`);
    } else if (now - this.loggedAt >= REPEAT_FAILURE_LOG_MS) {
      this.loggedAt = now;
      this.log.error({ err, failures: this.failures, failingForMs: now - this.failingSince }, `${this.name} passes still failing`);
    }
  }

  private succeeded(): void {
    if (this.failingSince === null) return;
    this.log.info?.({ failures: this.failures, failedForMs: Date.now() - this.failingSince }, `${this.name} passes succeed again`);
    this.failingSince = null;
    this.failures = 0;
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pass()
        .then(
          () => this.succeeded(),
          (err: unknown) => this.failed(err),
        )
        .then(() => {
          this.running = null;
          if (this.stopped) return;
          const again = this.again;
          this.again = false;
          this.schedule(again ? 0 : this.pollMs);
        });
    }, delay);
    this.timer.unref();
  }
}
