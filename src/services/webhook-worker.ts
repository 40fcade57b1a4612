import { openWebhookSecret } from '../core/webhooks/sealed-secret.js';
import type { Keyring } from '../core/tokens/index.js';
import type { ClaimedWebhook } from '../ports/store.js';
import { emailEventPayload } from '../core/webhooks/payload.js';
import { judgeResponse, retryDelay } from '../core/webhooks/retry-schedule.js';
import { parseWebhookSecret, signWebhook } from '../core/webhooks/signature.js';
import type { Clock } from '../ports/clock.js';
import type { Store, WebhookAttempt } from '../ports/store.js';
import { type WebhookSender, WebhookSendError } from '../ports/webhook-sender.js';
import { BackgroundJob, type JobLogger } from './background-job.js';
import { GroupCommit } from './group-commit.js';

export const WEBHOOK_TIMEOUT_MS = 15_000;
/** A claim lapses after this, so a crashed node's deliveries are sent by another (at least once). */
const LEASE_MS = 5 * 60_000;

export interface WebhookWorkerOptions {
  /** An endpoint that has failed without a success for this long is disabled. */
  disableAfterMs: number;
  /** Opens the sealed signing secrets. */
  keyring: Keyring;
  pollMs?: number;
  /** Requests in flight at once, over all endpoints. */
  maxInFlight?: number;
  /** Requests in flight at once to one endpoint. */
  perEndpoint?: number;
  random?: () => number;
}

export interface WebhookLogger extends JobLogger {
  warn(obj: object, msg: string): void;
}

/**
 * Sends due webhook deliveries. Each endpoint's deliveries run in their own lane (at most
 * `perEndpoint` requests at once), and an endpoint with work in flight is left out of the next
 * claims, so a slow or dead endpoint holds up only itself: never the tracking routes, which only
 * write the outbox row, nor the other endpoints.
 */
export class WebhookWorker {
  private readonly job: BackgroundJob;
  /** Endpoints with claimed deliveries not finished yet, and how many (queued or in flight). */
  private readonly busy = new Map<string, number>();
  private readonly lanes = new Set<Promise<void>>();
  private readonly maxInFlight: number;
  private readonly perEndpoint: number;
  private readonly random: () => number;
  /** Attempts finishing together are recorded in one transaction. */
  private readonly attempts: GroupCommit<WebhookAttempt>;

  constructor(
    private readonly store: Pick<Store, 'webhooks'>,
    private readonly sender: WebhookSender,
    private readonly clock: Clock,
    private readonly log: WebhookLogger,
    private readonly options: WebhookWorkerOptions,
  ) {
    this.maxInFlight = options.maxInFlight ?? 64;
    this.perEndpoint = options.perEndpoint ?? 4;
    this.random = options.random ?? Math.random;
    this.job = new BackgroundJob('webhooks', () => this.runOnce(), log, options.pollMs ?? 500);
    this.attempts = new GroupCommit((attempts) => store.webhooks.recordAttempts(attempts));
  }

  start(): void {
    this.job.start();
  }

  nudge(): void {
    this.job.nudge();
  }

  /** Stops claiming, and waits for the requests in flight. */
  async stop(): Promise<void> {
    await this.job.stop();
    await this.idle();
  }

  /** Resolves when nothing is in flight. */
  async idle(): Promise<void> {
    while (this.lanes.size > 0) await Promise.all(this.lanes);
  }

  /** One pass: claims what is due (for endpoints not already busy) and starts sending it. */
  async runOnce(): Promise<number> {
    let inFlight = 0;
    for (const n of this.busy.values()) inFlight += n;
    const room = this.maxInFlight - inFlight;
    if (room <= 0) return 0;
    const now = this.clock.now();
    const claimed = await this.store.webhooks.claimDue(now, now + LEASE_MS, room, [...this.busy.keys()]);
    const byEndpoint = new Map<string, ClaimedWebhook[]>();
    for (const c of claimed) {
      const list = byEndpoint.get(c.endpoint.id) ?? [];
      list.push(c);
      byEndpoint.set(c.endpoint.id, list);
    }
    for (const [endpointId, queue] of byEndpoint) {
      this.busy.set(endpointId, queue.length);
      const lane = this.runLane(endpointId, queue).finally(() => {
        this.busy.delete(endpointId);
        this.lanes.delete(lane);
        this.job.nudge();
      });
      this.lanes.add(lane);
    }
    return claimed.length;
  }

  private async runLane(endpointId: string, queue: ClaimedWebhook[]): Promise<void> {
    // Once an attempt disables the endpoint, the rest of the lane is not sent.
    const lane = { disabled: false };
    const next = async (): Promise<void> => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
        try {
          await this.deliver(c, lane);
        } catch (err) {
          this.log.error({ err, endpointId, messageId: c.delivery.messageId }, 'webhook delivery not recorded');
        }
        this.busy.set(endpointId, (this.busy.get(endpointId) ?? 1) - 1);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.perEndpoint, queue.length) }, next));
  }

  private async deliver(claimed: ClaimedWebhook, lane: { disabled: boolean }): Promise<void> {
    const { delivery, endpoint } = claimed;
    const body = this.payloadOf(claimed);
    const base = { endpointId: endpoint.id, messageId: delivery.messageId, claimedUntil: delivery.nextAttemptAt ?? 0 };
    if (body === null || !endpoint.enabled || lane.disabled) {
      // The event or email is gone (or the endpoint was disabled after the claim): nothing to send.
      await this.attempts.record({
        ...base, at: this.clock.now(), statusCode: null, durationMs: 0, response: null, outcome: 'failed',
        error: body === null ? 'the event no longer exists' : 'the endpoint is disabled',
      });
      return;
    }
    const started = this.clock.now();
    const secret = (stored: string) => parseWebhookSecret(openWebhookSecret(this.options.keyring, endpoint.id, stored));
    const keys = [secret(endpoint.secret)];
    if (endpoint.previousSecret !== null && (endpoint.previousSecretUntil ?? 0) > started) keys.push(secret(endpoint.previousSecret));
    const webhookId = `msg_${delivery.messageId}`;
    const timestamp = Math.floor(started / 1000);
    let attempt: WebhookAttempt;
    try {
      const res = await this.sender.send({
        url: endpoint.url,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Waymark-Webhooks/1',
          'webhook-id': webhookId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(keys, { id: webhookId, timestamp, body }),
        },
        body,
        timeoutMs: WEBHOOK_TIMEOUT_MS,
      });
      const at = this.clock.now();
      const verdict = judgeResponse(res.status, res.retryAfter, at);
      const common = { ...base, at, statusCode: res.status, durationMs: at - started, response: res.body };
      if (verdict.outcome === 'delivered') attempt = { ...common, error: null, outcome: 'delivered' };
      else if (verdict.outcome === 'gone') attempt = { ...common, error: 'the endpoint answered 410 Gone', outcome: 'failed', disableEndpoint: 'gone' };
      else attempt = this.failure({ ...common, error: `HTTP ${res.status}` }, claimed, verdict.retryAfterMs);
    } catch (err) {
      const at = this.clock.now();
      const error = err instanceof WebhookSendError ? err.message : `request failed: ${(err as Error).message}`;
      const common = { ...base, at, statusCode: null, durationMs: at - started, response: null, error };
      // A refused address is a setting, not an outage: retrying for days would only delay the news.
      if (err instanceof WebhookSendError && err.kind === 'forbidden_address') attempt = { ...common, outcome: 'failed' };
      else attempt = this.failure(common, claimed, null);
    }
    await this.attempts.record(attempt);
    if (attempt.disableEndpoint) lane.disabled = true;
    if (attempt.disableEndpoint) this.log.warn({ endpointId: endpoint.id, reason: attempt.disableEndpoint }, 'webhook endpoint disabled');
  }

  /** A failed attempt: retried on the schedule (or Retry-After), unless attempts or patience are used up. */
  private failure(
    common: Omit<WebhookAttempt, 'outcome' | 'retryAt' | 'disableEndpoint'>,
    claimed: ClaimedWebhook,
    retryAfterMs: number | null,
  ): WebhookAttempt {
    const failingSince = claimed.endpoint.failingSince ?? common.at;
    if (common.at - failingSince >= this.options.disableAfterMs) return { ...common, outcome: 'failed', disableEndpoint: 'failing' };
    const scheduled = retryDelay(claimed.delivery.attempts + 1, this.random());
    if (scheduled === null) return { ...common, outcome: 'failed' };
    return { ...common, outcome: 'retry', retryAt: common.at + (retryAfterMs ?? scheduled) };
  }

  private payloadOf(claimed: ClaimedWebhook): string | null {
    if (claimed.delivery.payload !== null) return claimed.delivery.payload;
    if (claimed.event === null || claimed.email === null) return null;
    return emailEventPayload(claimed.delivery.eventType, claimed.event, claimed.email);
  }
}
