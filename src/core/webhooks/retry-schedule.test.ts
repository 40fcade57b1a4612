import { describe, expect, it } from 'vitest';
import { judgeResponse, MAX_ATTEMPTS, MAX_RETRY_AFTER_MS, parseRetryAfter, retryDelay } from './retry-schedule.js';

const NOW = Date.parse('2026-11-23T10:00:00Z');

describe('the retry schedule', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then gives up', () => {
    const minutes = [1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(n, 0.5)! / 60_000);
    expect(minutes).toEqual([5 / 60, 5, 30, 120, 300, 600, 600]);
    expect(retryDelay(8, 0.5)).toBeNull();
    expect(MAX_ATTEMPTS).toBe(8);
  });

  it('spreads each delay by ±10%', () => {
    expect(retryDelay(2, 0)).toBe(270_000);
    expect(retryDelay(2, 0.999999)).toBeCloseTo(330_000, -1);
  });
});

describe('judging an answer', () => {
  it.each([200, 201, 204, 299])('%i is delivered', (status) => expect(judgeResponse(status, null, NOW)).toEqual({ outcome: 'delivered' }));
  it.each([301, 302, 307, 308])('%i is a failure: redirects are not followed', (status) =>
    expect(judgeResponse(status, null, NOW)).toEqual({ outcome: 'failed', retryAfterMs: null }),
  );
  it('410 disables the endpoint', () => expect(judgeResponse(410, null, NOW)).toEqual({ outcome: 'gone' }));
  it('honours Retry-After on 429 and 503 only', () => {
    expect(judgeResponse(429, '120', NOW)).toEqual({ outcome: 'failed', retryAfterMs: 120_000 });
    expect(judgeResponse(503, 'Mon, 23 Nov 2026 10:01:00 GMT', NOW)).toEqual({ outcome: 'failed', retryAfterMs: 60_000 });
    expect(judgeResponse(500, '120', NOW)).toEqual({ outcome: 'failed', retryAfterMs: null });
  });
  it('reads Retry-After as seconds or an HTTP date, caps it, and ignores garbage', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('999999999', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter('-5', NOW)).toBeNull();
    expect(parseRetryAfter(null, NOW)).toBeNull();
  });
});
