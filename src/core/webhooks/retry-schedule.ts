/**
 * When a failed delivery is tried again: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after the
 * attempts before it, each delay spread by ±10% so that retries after an outage do not all land at
 * once. Eight attempts in all, over about 27.5 hours.
 */
export const RETRY_DELAYS_MS: readonly number[] = [5e3, 300e3, 1_800e3, 7_200e3, 18_000e3, 36_000e3, 36_000e3];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
const JITTER = 0.1;
/** A Retry-After above this is capped, so one answer cannot park a delivery for days. */
export const MAX_RETRY_AFTER_MS = 24 * 3600e3;

/**
 * The delay before the next attempt after `attemptsMade` failed ones, or null when none is left.
 * `random` is in [0, 1).
 */
export function retryDelay(attemptsMade: number, random: number): number | null {
  const base = RETRY_DELAYS_MS[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random));
}

export type AttemptVerdict =
  | { outcome: 'delivered' }
  /** The endpoint asked to receive nothing more (410 Gone): disable it. */
  | { outcome: 'gone' }
  | { outcome: 'failed'; retryAfterMs: number | null };

/** What an HTTP answer means for the delivery. `retryAfter` is the raw header, if any. */
export function judgeResponse(status: number, retryAfter: string | null, now: number): AttemptVerdict {
  if (status >= 200 && status <= 299) return { outcome: 'delivered' };
  if (status === 410) return { outcome: 'gone' };
  const honoursRetryAfter = status === 429 || status === 503;
  return { outcome: 'failed', retryAfterMs: honoursRetryAfter ? parseRetryAfter(retryAfter, now) : null };
}

/** RFC 9110 Retry-After: delay-seconds or an HTTP-date. Null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (!Number.isFinite(at) || !/[A-Za-z]/.test(v)) return null;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
