import type { TrackingHit } from '../../ports/store.js';

/** The n-th hit of a test: the same n always makes the same hit, so one read back can be checked whole. */
export function sampleHit(n: number): TrackingHit {
  const clicked = n % 3 === 0;
  return {
    id: `hit-${n}`,
    emailId: `email-${n % 7}`,
    type: clicked ? 'clicked' : 'opened',
    createdAt: 1_720_000_000_000 + n,
    ip: n % 5 === 0 ? null : `203.0.113.${n % 256}`,
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
    referer: null,
    linkIndex: clicked ? n % 4 : null,
    url: clicked ? `https://example.com/p/${n}?utm_source=news` : null,
    method: n % 11 === 0 ? 'HEAD' : 'GET',
    ipList: n % 13 === 0 ? 'security_scanner' : null,
  };
}

export function sampleHits(from: number, count: number): TrackingHit[] {
  return Array.from({ length: count }, (_, i) => sampleHit(from + i));
}
