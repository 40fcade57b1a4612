import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type PgCluster, pgClusterAvailable, startPgCluster } from './pg-cluster.js';

// CI has the server binaries (.ci/run uses the system PostgreSQL 15); elsewhere skip without them.
const available = pgClusterAvailable() || !!process.env.CI;

/** One client per query: a Pool would keep sockets the stop kills, and need an 'error' listener. */
async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

describe.skipIf(!available)('startPgCluster', { timeout: 60_000 }, () => {
  let cluster: PgCluster | undefined;
  afterAll(async () => {
    await cluster?.destroy();
  }, 60_000);

  it('keeps its rows across a fast stop and an immediate (crash-like) stop, and destroy removes it', async () => {
    cluster = await startPgCluster();
    const c = cluster;
    expect(c.url).toBe(`postgres://postgres@127.0.0.1:${c.port}/postgres`);
    expect(c.running()).toBe(true);

    await query(c.url, 'create table marks (id int primary key, note text not null)');
    await query(c.url, 'insert into marks values ($1, $2)', [1, 'before fast stop']);

    await c.stop();
    expect(c.running()).toBe(false);
    await expect(query(c.url, 'select 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await c.stop(); // already stopped: no-op

    await c.start();
    expect(c.running()).toBe(true);
    expect(await query(c.url, 'select id, note from marks')).toEqual([{ id: 1, note: 'before fast stop' }]);

    // Immediate stop skips the shutdown checkpoint: the next start replays the WAL.
    await query(c.url, 'insert into marks values ($1, $2)', [2, 'before immediate stop']);
    await c.stop('immediate');
    expect(c.running()).toBe(false);
    await expect(query(c.url, 'select 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await c.start();
    expect(await query(c.url, 'select id from marks order by id')).toEqual([{ id: 1 }, { id: 2 }]);

    const baseDir = path.dirname(c.dataDir);
    expect(existsSync(c.dataDir)).toBe(true);
    await c.destroy();
    expect(c.running()).toBe(false);
    expect(existsSync(baseDir)).toBe(false);
    await c.destroy(); // twice is safe
    await expect(c.start()).rejects.toThrow(/destroyed/);
  });

  it('puts the tail of the server log in a failed start', async () => {
    const c = await startPgCluster();
    try {
      // An invalid setting makes the server exit at startup; only the log says which.
      await c.stop();
      appendFileSync(path.join(c.dataDir, 'postgresql.conf'), "\nshared_buffers = 'not a size'\n");
      await expect(c.start()).rejects.toThrow(/shared_buffers/);
      expect(c.running()).toBe(false);
    } finally {
      await c.destroy();
    }
    expect(existsSync(c.dataDir)).toBe(false);
  });
});
