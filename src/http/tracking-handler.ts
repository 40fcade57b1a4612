import type { IncomingMessage, ServerResponse } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { HitContext, TrackingService } from '../services/tracking.js';
import { requestHostname } from '../services/tracking-hosts.js';

/** The 43-byte transparent 1×1 GIF. */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

export const PIXEL_HEADERS = {
  'content-type': 'image/gif',
  'content-length': String(PIXEL_GIF.length),
  'cache-control': 'no-store, no-cache, must-revalidate, max-age=0',
  pragma: 'no-cache',
  expires: '0',
};

const NOT_FOUND_PAGE = Buffer.from(
  '<!doctype html><html><head><meta charset="utf-8"><title>Link not found</title></head>' +
    '<body><h1>Link not found</h1><p>This link is not valid. Check that it was copied completely.</p></body></html>',
);

const DONE = Promise.resolve();

const OPEN_PREFIX = '/v1/track/open/';
const CLICK_PREFIX = '/v1/track/click/';
/** Only a signed https?:// URL of printable ASCII ever becomes a Location header. */
const SAFE_LOCATION = /^https?:\/\/[\x21-\x7e]+$/;

export interface TrackingHandler {
  /** Handles the request if it is a tracking route; returns false to let the router take it. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  open(req: IncomingMessage, res: ServerResponse, token: string): Promise<void>;
  click(req: IncomingMessage, res: ServerResponse, token: string): Promise<void>;
}

/**
 * The two public tracking routes on plain node:http, so they skip the framework's per-request
 * work (see the benchmark). Fastify also routes to them, for the OpenAPI document and for
 * servers built without the fast path.
 */
export function createTrackingHandler(tracking: TrackingService, trustedProxies: readonly string[]): TrackingHandler {
  const trust = trustedProxies.length > 0 ? proxyaddr.compile([...trustedProxies]) : null;

  function context(req: IncomingMessage): HitContext {
    const raw = trust ? proxyaddr(req, trust) : req.socket.remoteAddress;
    return {
      host: requestHostname(req.headers.host),
      ip: raw ? normaliseIp(raw) : null,
      userAgent: req.headers['user-agent'] ?? null,
      referer: req.headers.referer ?? null,
      method: req.method === 'HEAD' ? 'HEAD' : 'GET',
    };
  }

  function sendPixel(res: ServerResponse): void {
    res.writeHead(200, PIXEL_HEADERS).end(PIXEL_GIF);
  }

  function sendClick(res: ServerResponse, destination: string | null): void {
    if (destination === null || !SAFE_LOCATION.test(destination)) {
      res
        .writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(NOT_FOUND_PAGE.length), 'cache-control': 'no-store' })
        .end(NOT_FOUND_PAGE);
      return;
    }
    res
      .writeHead(302, { location: destination, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'content-length': '0' })
      .end();
  }

  // Plain promise chains rather than async functions: nothing is awaited when there is nothing to
  // record (a bad token, HEAD), and a hit costs no more microtasks than its durable write needs.
  function open(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    // HEAD (link checkers, proxies) gets the same answer, and is recorded as a machine's.
    const recording = tracking.open(token, context(req));
    if (recording === null) {
      sendPixel(res);
      return DONE;
    }
    return recording.then(() => sendPixel(res));
  }

  function click(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    const destination = tracking.click(token, context(req));
    if (destination === null || typeof destination === 'string') {
      sendClick(res, destination);
      return DONE;
    }
    return destination.then((d) => sendClick(res, d));
  }

  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url ?? '';
    const route = url.startsWith(OPEN_PREFIX) ? open : url.startsWith(CLICK_PREFIX) ? click : null;
    if (!route) return false;
    const start = route === open ? OPEN_PREFIX.length : CLICK_PREFIX.length;
    const q = url.indexOf('?', start);
    const token = url.slice(start, q === -1 ? undefined : q);
    if (token.length === 0 || token.includes('/')) return false;
    let answered: Promise<void>;
    try {
      answered = route(req, res, token);
    } catch (err) {
      fail(res, err);
      return true;
    }
    if (answered !== DONE) answered.catch((err: unknown) => fail(res, err));
    return true;
  }

  return { handle, open, click };
}

function fail(res: ServerResponse, err: unknown): void {
  res.destroy(err instanceof Error ? err : new Error(String(err)));
}

function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
