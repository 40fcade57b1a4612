import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks 1.0, symmetric scheme: `webhook-signature` is `v1,<base64 HMAC-SHA256>` of
 * `{webhook-id}.{webhook-timestamp}.{body}`, one entry per secret, separated by spaces, so that a
 * receiver keeps verifying while a secret rotates.
 */
export const SECRET_PREFIX = 'whsec_';
/** The specification asks for 24 to 64 random bytes. */
export const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

export class WebhookSecretError extends Error {}

/** The key bytes of a `whsec_…` secret (the prefix is optional, as receivers' libraries allow). */
export function parseWebhookSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new WebhookSecretError('a webhook secret is base64 after "whsec_"');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new WebhookSecretError(`a webhook secret holds ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes`);
  }
  return key;
}

export function formatWebhookSecret(key: Uint8Array): string {
  return SECRET_PREFIX + Buffer.from(key).toString('base64');
}

export interface SignedContent {
  /** `webhook-id`: stays the same across the retries of one message. */
  id: string;
  /** `webhook-timestamp`: seconds since the epoch, set on each attempt. */
  timestamp: number;
  body: string;
}

/** The `webhook-signature` header value: one `v1,…` entry per key, in the order given. */
export function signWebhook(keys: readonly Uint8Array[], content: SignedContent): string {
  if (keys.length === 0) throw new WebhookSecretError('signing needs at least one secret');
  if (!/^[^.\s]+$/.test(content.id)) throw new WebhookSecretError('a webhook id has no dots or spaces');
  if (!Number.isSafeInteger(content.timestamp) || content.timestamp < 0) throw new WebhookSecretError('the timestamp is whole seconds');
  const signed = `${content.id}.${content.timestamp}.${content.body}`;
  return keys.map((key) => `v1,${createHmac('sha256', key).update(signed, 'utf8').digest('base64')}`).join(' ');
}
