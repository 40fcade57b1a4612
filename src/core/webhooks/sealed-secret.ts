import { seal, unseal } from '../secrets/sealed-box.js';
import type { Keyring } from '../tokens/index.js';
import { SECRET_PREFIX } from './signature.js';

/**
 * Webhook signing secrets at rest: sealed like DKIM keys, bound to their endpoint, so a copy of the
 * database alone cannot forge webhooks. A secret stored before sealing (`whsec_…` in the clear) is
 * still read, and sealed at the next start.
 */
function purpose(endpointId: string): string {
  return `webhook-secret ${endpointId}`;
}

export function sealWebhookSecret(keyring: Keyring, endpointId: string, secret: string): string {
  return seal(keyring, purpose(endpointId), secret);
}

export function isSealedWebhookSecret(stored: string): boolean {
  return !stored.startsWith(SECRET_PREFIX);
}

export function openWebhookSecret(keyring: Keyring, endpointId: string, stored: string): string {
  return isSealedWebhookSecret(stored) ? unseal(keyring, purpose(endpointId), stored) : stored;
}
