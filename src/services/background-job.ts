export interface JobLogger {
  error(obj: object, msg: string): void;
}

/**
 * A job that runs a pass every `pollMs`, or at once when nudged, one pass at a time. The email
 * delivery and the webhook delivery jobs are both this loop around their own pass.
 */
export class BackgroundJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

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

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pass()
        .then(
          () => undefined,
          (err: unknown) => this.log.error({ err }, `${this.name} pass failed`),
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
