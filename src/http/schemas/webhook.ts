import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES, type WebhookDelivery, type WebhookEndpoint } from '../../core/model.js';
import { iso } from './common.js';

const webhookEndpointProperties = {
  id: { type: 'string' },
  object: { type: 'string', const: 'webhook_endpoint' },
  url: { type: 'string' },
  description: { type: ['string', 'null'] },
  events: { type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] } },
  enabled: { type: 'boolean' },
  human_only: { type: 'boolean', description: "opens and clicks are sent only when labelled a person's" },
  disabled_reason: {
    type: ['string', 'null'],
    enum: ['gone', 'failing', 'manual', null],
    description: 'gone: it answered 410; failing: it failed without a success for too long; manual: disabled through the API',
  },
  failing_since: { type: ['string', 'null'], format: 'date-time', description: 'start of the current run of failed attempts' },
  previous_secret_expires_at: { type: ['string', 'null'], format: 'date-time', description: 'until then the previous secret signs too' },
  created_at: { type: 'string', format: 'date-time' },
  updated_at: { type: 'string', format: 'date-time' },
} as const;

export const webhookEndpointSchema = { $id: 'WebhookEndpoint', type: 'object', required: Object.keys(webhookEndpointProperties), properties: webhookEndpointProperties } as const;

const webhookDeliveryProperties = {
  id: { type: 'string', description: 'the message id; webhook-id is "msg_" followed by it' },
  object: { type: 'string', const: 'webhook_delivery' },
  endpoint_id: { type: 'string' },
  webhook_id: { type: 'string' },
  event_type: { type: 'string' },
  status: { type: 'string', enum: WEBHOOK_DELIVERY_STATUSES },
  attempts: { type: 'integer' },
  next_attempt_at: { type: ['string', 'null'], format: 'date-time' },
  last_attempt_at: { type: ['string', 'null'], format: 'date-time' },
  response_status: { type: ['integer', 'null'] },
  response_body: { type: ['string', 'null'], description: 'the first 1 KB of the last answer' },
  duration_ms: { type: ['integer', 'null'] },
  error: { type: ['string', 'null'] },
  created_at: { type: 'string', format: 'date-time' },
} as const;

export const webhookDeliverySchema = { $id: 'WebhookDelivery', type: 'object', required: Object.keys(webhookDeliveryProperties), properties: webhookDeliveryProperties } as const;

export function webhookEndpointJson(e: WebhookEndpoint, now: number) {
  return {
    id: e.id,
    object: 'webhook_endpoint',
    url: e.url,
    description: e.description,
    events: e.events,
    enabled: e.enabled,
    human_only: e.humanOnly,
    disabled_reason: e.disabledReason,
    failing_since: iso(e.failingSince),
    previous_secret_expires_at: e.previousSecret !== null && (e.previousSecretUntil ?? 0) > now ? iso(e.previousSecretUntil) : null,
    created_at: iso(e.createdAt),
    updated_at: iso(e.updatedAt),
  };
}

export function webhookDeliveryJson(d: WebhookDelivery) {
  return {
    id: d.messageId,
    object: 'webhook_delivery',
    endpoint_id: d.endpointId,
    webhook_id: `msg_${d.messageId}`,
    event_type: d.eventType,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    last_attempt_at: iso(d.lastAttemptAt),
    response_status: d.lastStatusCode,
    response_body: d.lastResponse,
    duration_ms: d.lastDurationMs,
    error: d.lastError,
    created_at: iso(d.createdAt),
  };
}

export const webhookEventsProperty = {
  type: 'array',
  minItems: 1,
  maxItems: WEBHOOK_EVENT_TYPES.length,
  items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] },
} as const;

export const webhookUrlProperty = { type: 'string', minLength: 1, maxLength: 2048 } as const;

/** The answer that carries an endpoint's signing secret, shown this once (create and rotate). */
export const webhookSecretSchema = {
  type: 'object',
  required: ['secret', 'endpoint', 'object', 'id', 'signing_secret'],
  properties: {
    secret: { type: 'string', description: 'whsec_…, for Standard Webhooks verification' },
    endpoint: { $ref: 'WebhookEndpoint#' },
    object: { type: 'string', enum: ['webhook'] },
    id: { type: 'string', format: 'uuid', description: 'endpoint.id again, where Resend answers it' },
    signing_secret: { type: 'string', description: 'secret again, under the name Resend gives it' },
  },
} as const;

export function webhookSecretJson(e: WebhookEndpoint, now: number) {
  return { secret: e.secret, endpoint: webhookEndpointJson(e, now), object: 'webhook', id: e.id, signing_secret: e.secret };
}
