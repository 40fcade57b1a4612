import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Keyring } from '../core/tokens/index.js';

export const SESSION_COOKIE = 'waymark_session';
/** A dashboard session lasts this long; signing in again starts a new one. */
export const SESSION_TTL_MS = 12 * 3600_000;

/**
 * Dashboard sessions: the cookie names the API key it was opened with and when it ends, signed
 * with a key derived from WAYMARK_SECRET (the first key signs, every key verifies, as for links).
 * Nothing is stored: the key is looked up on every request, so revoking it ends its sessions.
 */
export class SessionCodec {
  private readonly keys: Buffer[];

  constructor(keyring: Keyring) {
    const ids = [keyring.signing.id, ...keyring.ids.filter((id) => id !== keyring.signing.id)];
    this.keys = ids.map((id) => Buffer.from(hkdfSync('sha256', keyring.find(id)!.key.export(), Buffer.alloc(0), 'waymark dashboard session', 32)));
  }

  issue(keyId: string, expiresAt: number): string {
    const payload = `${keyId}.${expiresAt}`;
    return `${payload}.${this.mac(this.keys[0]!, payload)}`;
  }

  /** The key id of a valid, unexpired session, or null. */
  read(value: string | undefined, now: number): string | null {
    if (value === undefined) return null;
    const match = /^([0-9a-f-]{36})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (!match) return null;
    const [, keyId, expires, mac] = match as unknown as [string, string, string, string];
    if (Number(expires) <= now) return null;
    const given = Buffer.from(mac, 'base64url');
    const ok = this.keys.some((k) => timingSafeEqual(Buffer.from(this.mac(k, `${keyId}.${expires}`), 'base64url'), given));
    return ok ? keyId : null;
  }

  private mac(key: Buffer, payload: string): string {
    return createHmac('sha256', key).update(payload).digest('base64url');
  }
}

/**
 * Cookie-authenticated writes must come from the dashboard's own origin: a browser sends `Origin`
 * with every POST, PATCH and DELETE, and another site's pages cannot forge it.
 */
export function sameOrigin(request: FastifyRequest, publicUrl: string): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  const own = `${request.protocol}://${request.host}`;
  return origin === own || origin === new URL(publicUrl).origin;
}
