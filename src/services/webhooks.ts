import { randomBytes } from 'node:crypto';
import { WEBHOOK_EVENT_TYPES, type WebhookDelivery, type WebhookEndpoint, type WebhookEventType } from '../core/model.js';
import { eventPayload } from '../core/webhooks/payload.js';
import { isSealedWebhookSecret, openWebhookSecret, sealWebhookSecret } from '../core/webhooks/sealed-secret.js';
import { formatWebhookSecret } from '../core/webhooks/signature.js';
import type { Keyring } from '../core/tokens/index.js';
import { newId } from '../lib/ids.js';
import type { Clock } from '../ports/clock.js';
import type { Page, Store } from '../ports/store.js';
import type { WebhookSender } from '../ports/webhook-sender.js';
import { ServiceError } from '../core/errors.js';

/** After a rotation, the old secret keeps signing (beside the new one) for this long. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;
/** Most events one replay queues. */
export const MAX_REPLAY = 10_000;
const SECRET_BYTES = 32;

export interface NewEndpointInput {
  url: string;
  /** Every event type when left out. */
  events?: WebhookEventType[];
  description?: string | null;
  /** Opens and clicks only when labelled a person's. */
  humanOnly?: boolean;
}

export interface EndpointPatchInput {
  url?: string;
  events?: WebhookEventType[];
  description?: string | null;
  enabled?: boolean;
  humanOnly?: boolean;
}

/** The endpoint use cases. Deliveries are made by WebhookWorker. */
export class WebhookService {
  constructor(
    private readonly store: Pick<Store, 'webhooks'>,
    private readonly sender: WebhookSender,
    private readonly clock: Clock,
    /** Seals signing secrets at rest. */
    private readonly keyring: Keyring,
    /** Called when deliveries were queued, so the worker sends them without waiting for its next poll. */
    private readonly onQueued: () => void = () => {},
  ) {}

  /** The service's clock, for views that depend on time (whether a rotated secret still signs). */
  now(): number {
    return this.clock.now();
  }

  async create(projectId: string, input: NewEndpointInput): Promise<WebhookEndpoint> {
    await this.checkUrl(input.url);
    const now = this.clock.now();
    const id = newId();
    const secret = formatWebhookSecret(randomBytes(SECRET_BYTES));
    const endpoint = await this.store.webhooks.createEndpoint({
      id,
      projectId,
      url: input.url,
      description: input.description ?? null,
      events: input.events === undefined ? [...WEBHOOK_EVENT_TYPES] : normaliseEvents(input.events),
      secret: sealWebhookSecret(this.keyring, id, secret),
      enabled: true,
      humanOnly: input.humanOnly ?? false,
      createdAt: now,
      updatedAt: now,
    });
    return { ...endpoint, secret };
  }

  async get(projectId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.store.webhooks.getEndpoint(projectId, id);
    if (endpoint === undefined) throw notFound();
    return endpoint;
  }

  list(projectId: string, page: Page): Promise<WebhookEndpoint[]> {
    return this.store.webhooks.listEndpoints(projectId, page);
  }

  async update(projectId: string, id: string, patch: EndpointPatchInput): Promise<WebhookEndpoint> {
    if (patch.url !== undefined) await this.checkUrl(patch.url);
    const updated = await this.store.webhooks.updateEndpoint(
      projectId,
      id,
      { ...patch, ...(patch.events !== undefined ? { events: normaliseEvents(patch.events) } : {}) },
      this.clock.now(),
    );
    if (updated === undefined) throw notFound();
    return updated;
  }

  async remove(projectId: string, id: string): Promise<void> {
    if (!(await this.store.webhooks.deleteEndpoint(projectId, id))) throw notFound();
  }

  /** A new secret (returned in the clear, this once); the old one signs too for the next 24 hours. */
  async rotateSecret(projectId: string, id: string): Promise<WebhookEndpoint> {
    const now = this.clock.now();
    const secret = formatWebhookSecret(randomBytes(SECRET_BYTES));
    const sealed = sealWebhookSecret(this.keyring, id, secret);
    const updated = await this.store.webhooks.updateEndpoint(projectId, id, { rotate: { secret: sealed, previousUntil: now + ROTATION_OVERLAP_MS } }, now);
    if (updated === undefined) throw notFound();
    return { ...updated, secret };
  }

  /** Seals the secrets stored in the clear before secrets were sealed. Returns how many endpoints. */
  async sealStoredSecrets(): Promise<number> {
    const plain = await this.store.webhooks.endpointsWithPlainSecrets();
    for (const e of plain) {
      const reseal = (s: string | null) => (s === null || isSealedWebhookSecret(s) ? s : sealWebhookSecret(this.keyring, e.id, openWebhookSecret(this.keyring, e.id, s)));
      await this.store.webhooks.replaceSecrets(e.id, e.secret, reseal(e.secret)!, e.previousSecret, reseal(e.previousSecret));
    }
    return plain.length;
  }

  /** Queues an `event.test` to this endpoint, whatever it subscribes to. Returns the message id. */
  async sendTest(projectId: string, id: string): Promise<string> {
    const endpoint = await this.get(projectId, id);
    if (!endpoint.enabled) throw new ServiceError('validation_failed', 'the endpoint is disabled; enable it first', { field: 'enabled' });
    const now = this.clock.now();
    const messageId = newId();
    const payload = eventPayload('event.test', now, { endpoint_id: endpoint.id, message: 'This is a test event from Waymark.' });
    await this.store.webhooks.enqueue({ projectId, messageId, eventType: 'event.test', payload, createdAt: now }, endpoint.id);
    this.onQueued();
    return messageId;
  }

  /** Queues an event for every subscribed endpoint of the project (domain.updated). */
  async publish(projectId: string, type: WebhookEventType, data: Record<string, unknown>): Promise<number> {
    const now = this.clock.now();
    const queued = await this.store.webhooks.enqueue({ projectId, messageId: newId(), eventType: type, payload: eventPayload(type, now, data), createdAt: now });
    if (queued > 0) this.onQueued();
    return queued;
  }

  async deliveries(projectId: string, id: string, page: Page): Promise<WebhookDelivery[]> {
    await this.get(projectId, id);
    return this.store.webhooks.listDeliveries(projectId, id, page);
  }

  async retry(projectId: string, id: string, messageId: string): Promise<WebhookDelivery> {
    const delivery = await this.store.webhooks.retryDelivery(projectId, id, messageId, this.clock.now());
    if (delivery === undefined) throw notFound('no such delivery');
    this.onQueued();
    return delivery;
  }

  /** Sends again every email event since `since` that the endpoint subscribes to, up to MAX_REPLAY. */
  async replay(projectId: string, id: string, since: number): Promise<number> {
    await this.get(projectId, id);
    const queued = await this.store.webhooks.replay(projectId, id, since, this.clock.now(), MAX_REPLAY);
    if (queued > 0) this.onQueued();
    return queued;
  }

  private async checkUrl(url: string): Promise<void> {
    const problem = await this.sender.check(url);
    if (problem !== null) throw new ServiceError('validation_failed', `url: ${problem}`, { field: 'url' });
  }
}

function normaliseEvents(events: WebhookEventType[]): WebhookEventType[] {
  const unique = [...new Set(events)];
  const unknown = unique.find((e) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(e));
  if (unknown !== undefined) throw new ServiceError('validation_failed', `events: unknown event type "${unknown}"`, { field: 'events' });
  if (unique.length === 0) throw new ServiceError('validation_failed', 'events: subscribe to at least one event type', { field: 'events' });
  return unique;
}

function notFound(message = 'no such webhook endpoint'): ServiceError {
  return new ServiceError('not_found', message);
}
