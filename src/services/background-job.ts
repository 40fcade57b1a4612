import { OutageLog, type OutageLogger } from './outage-log.js';

export type JobLogger = OutageLogger;

/**
 * A job that runs a pass every `pollMs`, or at once when nudged, one pass at a time. The email
 * delivery and the webhook delivery jobs are both this loop around their own pass.
 */
export class BackgroundJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private readonly outage: OutageLog;

  constructor(
    name: string,
    private readonly pass: () => Promise<unknown>,
    log: JobLogger,
    private readonly pollMs: number,
  ) {
    this.outage = new OutageLog(log, {
      failed: `${name} pass failed`,
      stillFailing: `${name} passes still failing`,
      recovered: `${name} passes succeed again`,
    });
  }

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
          () => this.outage.succeeded(),
          (err: unknown) => this.outage.failed(err),
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
