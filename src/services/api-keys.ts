import { createHash, randomBytes } from 'node:crypto';
import type { ApiKey, ApiKeyRole } from '../core/model.js';
import { newId } from '../lib/ids.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

const KEY_PREFIX = 'wm_';
/** last_used_at is a hint, not an audit log: write it at most once a minute per key. */
const TOUCH_INTERVAL_MS = 60_000;

export interface IssuedKey {
  /** The full key: shown once, never stored. */
  secret: string;
  apiKey: ApiKey;
}

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export class ApiKeyService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async issue(projectId: string, name: string, role: ApiKeyRole): Promise<IssuedKey> {
    const secret = KEY_PREFIX + randomBytes(24).toString('base64url');
    const apiKey = await this.store.apiKeys.create({
      id: newId(),
      projectId,
      name,
      role,
      prefix: secret.slice(0, KEY_PREFIX.length + 6),
      hash: hashApiKey(secret),
      createdAt: this.clock.now(),
    });
    return { secret, apiKey };
  }

  list(projectId: string): Promise<ApiKey[]> {
    return this.store.apiKeys.list(projectId);
  }

  /** The key's record, or null. Lookup is by SHA-256, so timing reveals nothing about stored keys. */
  async authenticate(secret: string): Promise<ApiKey | null> {
    if (!secret.startsWith(KEY_PREFIX) || secret.length > 200) return null;
    const key = await this.store.apiKeys.findByHash(hashApiKey(secret));
    if (!key) return null;
    const now = this.clock.now();
    if (key.lastUsedAt === null || now - key.lastUsedAt >= TOUCH_INTERVAL_MS) {
      await this.store.apiKeys.touch(key.id, now);
      key.lastUsedAt = now;
    }
    return key;
  }
}
