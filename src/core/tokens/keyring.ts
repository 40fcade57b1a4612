import { createHash, createSecretKey, type KeyObject } from 'node:crypto';

/** One HMAC key. `id` travels in every token it signs, so keys can rotate. */
export interface SigningKey {
  readonly id: string;
  readonly key: KeyObject;
}

export const MIN_SECRET_LENGTH = 32;
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export class KeyringError extends Error {}

/** The first key signs; every key verifies. */
export class Keyring {
  readonly signing: SigningKey;
  private readonly byId: Map<string, SigningKey>;

  constructor(keys: readonly SigningKey[]) {
    const first = keys[0];
    if (!first) throw new KeyringError('at least one signing key is required');
    this.signing = first;
    this.byId = new Map();
    for (const k of keys) {
      if (!KEY_ID_PATTERN.test(k.id)) throw new KeyringError(`key id "${k.id}" must be 1-32 characters of A-Z a-z 0-9 _ -`);
      if (this.byId.has(k.id)) throw new KeyringError(`key id "${k.id}" appears twice`);
      this.byId.set(k.id, k);
    }
  }

  find(id: string): SigningKey | undefined {
    return this.byId.get(id);
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }
}

/** A bare secret gets a stable id derived from it, so adding an `id:` later is not needed to rotate. */
export function deriveKeyId(secret: string): string {
  return 'k' + createHash('sha256').update('waymark-key-id\0').update(secret).digest('base64url').slice(0, 7);
}

export function signingKey(id: string, secret: string): SigningKey {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new KeyringError(`secret for key "${id}" is ${secret.length} characters; at least ${MIN_SECRET_LENGTH} are required`);
  }
  return { id, key: createSecretKey(Buffer.from(secret, 'utf8')) };
}

/**
 * Parses the WAYMARK_SECRET format: comma-separated entries, each `id:secret` or a bare secret
 * of at least 32 characters. An entry whose part before the first ':' is a valid key id is always
 * `id:secret`, so a short secret is refused under the id that was written, never read silently as
 * a bare secret with a derived id.
 */
export function parseKeyring(spec: string): Keyring {
  const entries = spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (entries.length === 0) throw new KeyringError('no signing secret given');
  const keys = entries.map((entry) => {
    const colon = entry.indexOf(':');
    if (colon > 0) {
      const id = entry.slice(0, colon);
      const secret = entry.slice(colon + 1);
      if (KEY_ID_PATTERN.test(id)) return signingKey(id, secret);
    }
    return signingKey(deriveKeyId(entry), entry);
  });
  return new Keyring(keys);
}
