import type { ServerResponse } from 'node:http';

import { PIXEL_GIF, PIXEL_HEADERS } from '../../src/http/tracking-handler.js';

/**
 * The answers the baselines give: the pixel is Waymark's own bytes and headers; the redirect is
 * what Waymark's tracking handler sends. run.ts checks at start that the answers still match.
 */

/** Where the baselines' click route redirects; the benchmark email's link points to the same URL. */
export const DESTINATION = 'https://example.com/landing?utm_source=bench';

const REDIRECT_HEADERS = {
  location: DESTINATION,
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'content-length': '0',
};

export const OPEN_PREFIX = '/v1/track/open/';
export const CLICK_PREFIX = '/v1/track/click/';

export function sendPixel(res: ServerResponse): void {
  res.writeHead(200, PIXEL_HEADERS).end(PIXEL_GIF);
}

export function sendRedirect(res: ServerResponse): void {
  res.writeHead(302, REDIRECT_HEADERS).end();
}

export function sendNotFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-length': '0' }).end();
}

/** `{ route, token }` for a tracking URL, or null. */
export function parseTrackingUrl(url: string): { route: 'open' | 'click'; token: string } | null {
  const route = url.startsWith(OPEN_PREFIX) ? 'open' : url.startsWith(CLICK_PREFIX) ? 'click' : null;
  if (route === null) return null;
  const start = route === 'open' ? OPEN_PREFIX.length : CLICK_PREFIX.length;
  const q = url.indexOf('?', start);
  const token = url.slice(start, q === -1 ? undefined : q);
  return token.length > 0 ? { route, token } : null;
}

/** The port from argv/env, for the target scripts. */
export function targetPort(): number {
  const port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error('PORT must be set');
  return port;
}
