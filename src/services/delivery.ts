import type { Clock } from '../ports/clock.js';
import type { Email } from '../core/model.js';
import { type Mailer, type OutgoingMessage, PermanentDeliveryError } from '../ports/mailer.js';
import type { Store } from '../ports/store.js';
import { BackgroundJob } from './background-job.js';
import { outgoingMessage } from './emails.js';

/** Waits between attempts: 1 min, 5 min, 30 min, 2 h, then the email fails. */
export const RETRY_DELAYS_MS = [60_000, 300_000, 1_800_000, 7_200_000];
const LEASE_MS = 5 * 60_000;
const BATCH = 10;

export interface DeliveryLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DeliveryWorkerOptions {
  pollMs?: number;
  /** DKIM signing and envelope sender for an email's domain (DomainService.sendingIdentity); none by default. */
  identity?: (email: Email) => Promise<Pick<OutgoingMessage, 'dkim' | 'envelopeFrom'>>;
}

/** The background job that hands queued emails to the SMTP relay. */
export class DeliveryWorker {
  private readonly job: BackgroundJob;
  private readonly identity: NonNullable<DeliveryWorkerOptions['identity']>;
  private stopped = false;

  constructor(
    private readonly store: Pick<Store, 'emails'>,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    private readonly log: DeliveryLogger,
    options: DeliveryWorkerOptions = {},
  ) {
    this.identity = options.identity ?? (async () => ({}));
    this.job = new BackgroundJob('delivery', () => this.runOnce(), log, options.pollMs ?? 1000);
  }

  start(): void {
    this.stopped = false;
    this.job.start();
  }

  /** Asks for a pass now (an email was just queued). */
  nudge(): void {
    this.job.nudge();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.job.stop();
  }

  /** One pass: delivers every email due now. */
  async runOnce(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const now = this.clock.now();
      const due = await this.store.emails.claimDue(now, now + LEASE_MS, BATCH);
      for (const email of due) {
        await this.deliver(email.id, email.deliveryAttempts, email);
        delivered++;
      }
      if (due.length < BATCH || this.stopped) return delivered;
    }
  }

  private async deliver(emailId: string, attempts: number, email: Email): Promise<void> {
    const message = outgoingMessage(email);
    try {
      try {
        Object.assign(message, await this.identity(email));
      } catch (err) {
        // A DKIM key that no longer opens (its WAYMARK_SECRET key was removed) must not stop the mail.
        this.log.error({ emailId, err }, 'sending without the domain identity (DKIM signature, return path)');
      }
      await this.mailer.send(message);
      await this.store.emails.recordDelivery({ emailId, at: this.clock.now(), status: 'sent', messageId: message.messageId });
      this.log.info({ emailId }, 'email sent');
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      const delay = err instanceof PermanentDeliveryError ? undefined : RETRY_DELAYS_MS[attempts - 1];
      const at = this.clock.now();
      if (delay === undefined) {
        await this.store.emails.recordDelivery({ emailId, at, status: 'failed', detail });
        this.log.error({ emailId, detail }, 'email failed');
      } else {
        await this.store.emails.recordDelivery({ emailId, at, status: 'failed', detail, retryAt: at + delay });
        this.log.warn({ emailId, detail, retryInMs: delay }, 'email delivery will be retried');
      }
    }
  }
}
