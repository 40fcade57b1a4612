import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Keyring } from '../tokens/index.js';

/**
 * Secrets at rest (DKIM private keys), sealed with AES-256-GCM under a key derived (HKDF-SHA256)
 * from the server's signing key. The sealed text names the key id, so after a rotation a secret
 * sealed under an older key still opens while that key stays in WAYMARK_SECRET.
 *
 * Format: `v1.<key id>.<iv>.<tag>.<ciphertext>`, parts base64url.
 */
const VERSION = 'v1';
const IV_BYTES = 12;

export class SealedBoxError extends Error {}

function boxKey(keyring: Keyring, keyId: string, purpose: string): Buffer {
  const key = keyring.find(keyId);
  if (!key) throw new SealedBoxError(`sealed under key "${keyId}", which is not in WAYMARK_SECRET any more`);
  return Buffer.from(hkdfSync('sha256', key.key.export(), Buffer.alloc(0), `waymark sealed-box ${purpose}`, 32));
}

/** `purpose` binds the box to one use: a DKIM key sealed for one domain does not open as another's. */
export function seal(keyring: Keyring, purpose: string, plaintext: string): string {
  const keyId = keyring.signing.id;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', boxKey(keyring, keyId, purpose), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export function unseal(keyring: Keyring, purpose: string, sealed: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) throw new SealedBoxError('not a sealed secret');
  const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
  const decipher = createDecipheriv('aes-256-gcm', boxKey(keyring, keyId, purpose), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedBoxError('the sealed secret does not open: tampered with, or sealed for another purpose');
  }
}
