/**
 * The naive design most self-hosted trackers use today (listmonk, Postal, Keila): one synchronous
 * INSERT per hit, committed before answering, on SQLite with the same durability as Waymark
 * (WAL, synchronous=FULL: every commit is fsynced). Run as its own process by bench/run.ts.
 *
 * GET /__bench/count answers the number of rows written, so the benchmark can compare what was
 * answered with what was recorded.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parseTrackingUrl, sendNotFound, sendPixel, sendRedirect, targetPort } from './responses.js';

const dataDir = process.env.BENCH_DATA_DIR;
if (!dataDir) throw new Error('BENCH_DATA_DIR must be set');

const db = new Database(path.join(dataDir, 'naive.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`create table if not exists hits (
  id text primary key,
  type text not null,
  token text not null,
  created_at integer not null,
  ip text,
  user_agent text,
  referer text
)`);
const insert = db.prepare(
  'insert into hits (id, type, token, created_at, ip, user_agent, referer) values (?, ?, ?, ?, ?, ?, ?)',
);
const count = db.prepare('select count(*) as n from hits').pluck();

const server = createServer((req, res) => {
  const url = req.url ?? '';
  if (url === '/__bench/count') {
    const body = JSON.stringify({ count: count.get() });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    return;
  }
  const hit = parseTrackingUrl(url);
  if (hit === null || req.method !== 'GET') return sendNotFound(res);
  // Autocommit: this statement is its own transaction, fsynced before the answer.
  insert.run(
    randomUUID(),
    hit.route === 'open' ? 'opened' : 'clicked',
    hit.token,
    Date.now(),
    req.socket.remoteAddress ?? null,
    req.headers['user-agent'] ?? null,
    req.headers.referer ?? null,
  );
  if (hit.route === 'open') sendPixel(res);
  else sendRedirect(res);
});
server.listen(targetPort(), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => { db.close(); process.exit(0); }));
