/**
 * The ceiling: plain node:http answering the tracking routes with Waymark's exact responses and
 * doing nothing else (no token check, no write). Run as its own process by bench/run.ts.
 */
import { createServer } from 'node:http';
import { parseTrackingUrl, sendNotFound, sendPixel, sendRedirect, targetPort } from './responses.js';

const server = createServer((req, res) => {
  const hit = parseTrackingUrl(req.url ?? '');
  if (hit === null) return sendNotFound(res);
  if (hit.route === 'open') sendPixel(res);
  else sendRedirect(res);
});
server.listen(targetPort(), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
