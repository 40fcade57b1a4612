import { createHash, randomBytes } from 'node:crypto';
import type { ApiKey, ApiKeyRole } from '../core/model.js';
import { newId } from '../lib/ids.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { ServiceError } from '../core/errors.js';

const KEY_PREFIX = 'wm_';
/** last_used_at is a hint, not an audit log: write it at most once a minute per key. */
const TOUCH_INTERVAL_MS = 60_000;

export interface IssuedKey {
  /** The full key: shown once, never stored. */
  secret: string;
  apiKey: ApiKey;
}

export interface IssueOptions {
  /** After this the key stops authenticating; must be in the future. */
  expiresAt?: number | null;
  /** A sending key limited to this sending domain of the project. */
  domainId?: string | null;
}

export type Authentication = { ok: true; key: ApiKey } | { ok: false; reason: 'unknown' | 'expired' };

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export class ApiKeyService {
  constructor(
    private readonly store: Pick<Store, 'apiKeys' | 'domains'>,
    private readonly clock: Clock,
  ) {}

  async issue(projectId: string, name: string, role: ApiKeyRole, options: IssueOptions = {}): Promise<IssuedKey> {
    const expiresAt = options.expiresAt ?? null;
    if (expiresAt !== null && expiresAt <= this.clock.now()) {
      throw new ServiceError('validation_failed', 'expires_at must be in the future', { field: 'expires_at' });
    }
    const domainId = options.domainId ?? null;
    if (domainId !== null) {
      if (role !== 'sending') throw new ServiceError('validation_failed', 'domain_id limits a sending key; set role to "sending"', { field: 'domain_id' });
      if ((await this.store.domains.get(projectId, domainId)) === undefined) {
        throw new ServiceError('validation_failed', 'domain_id: no such domain in this project', { field: 'domain_id' });
      }
    }
    const secret = KEY_PREFIX + randomBytes(24).toString('base64url');
    const apiKey = await this.store.apiKeys.create({
      id: newId(),
      projectId,
      name,
      role,
      prefix: secret.slice(0, KEY_PREFIX.length + 6),
      hash: hashApiKey(secret),
      createdAt: this.clock.now(),
      expiresAt,
      domainId,
    });
    return { secret, apiKey };
  }

  list(projectId: string): Promise<ApiKey[]> {
    return this.store.apiKeys.list(projectId);
  }

  /**
   * Deletes the key: the next request with it is refused on every node (keys are looked up on each
   * request, never cached). The project's last admin key is kept, so the project is never locked out.
   */
  async revoke(projectId: string, id: string): Promise<ApiKey> {
    const key = await this.store.apiKeys.get(projectId, id);
    if (key === undefined) throw new ServiceError('not_found', 'no such API key');
    if (key.role === 'admin') {
      const admins = (await this.store.apiKeys.list(projectId)).filter((k) => k.role === 'admin' && !this.expired(k));
      if (admins.length <= 1 && admins[0]?.id === key.id) {
        throw new ServiceError('conflict', "this is the project's last admin key: create another admin key before revoking it");
      }
    }
    if (!(await this.store.apiKeys.delete(projectId, id))) throw new ServiceError('not_found', 'no such API key');
    return key;
  }

  /** Lookup is by SHA-256, so timing reveals nothing about stored keys. */
  async authenticate(secret: string): Promise<Authentication> {
    if (!secret.startsWith(KEY_PREFIX) || secret.length > 200) return { ok: false, reason: 'unknown' };
    return this.admit(await this.store.apiKeys.findByHash(hashApiKey(secret)));
  }

  /** The key a dashboard session was opened with, if it still exists and has not expired. */
  async authenticateById(id: string): Promise<Authentication> {
    return this.admit(await this.store.apiKeys.findById(id));
  }

  private async admit(key: ApiKey | undefined): Promise<Authentication> {
    if (!key) return { ok: false, reason: 'unknown' };
    if (this.expired(key)) return { ok: false, reason: 'expired' };
    const now = this.clock.now();
    if (key.lastUsedAt === null || now - key.lastUsedAt >= TOUCH_INTERVAL_MS) {
      await this.store.apiKeys.touch(key.id, now);
      key.lastUsedAt = now;
    }
    return { ok: true, key };
  }

  private expired(key: ApiKey): boolean {
    return key.expiresAt !== null && key.expiresAt <= this.clock.now();
  }
}
