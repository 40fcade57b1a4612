import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { createTestDatabase } from './databases.js';
import type { Backend } from '../../src/adapters/store/schema.js';

/**
 * An empty database reached through a bare Kysely (no store), to bring it to an older migration as
 * an older release left it, and the URL to open it with the store afterwards. `cleanups` collects
 * what removes it.
 */
export async function rawDatabase(backend: Backend, cleanups: Array<() => Promise<void> | void>): Promise<{ db: Kysely<any>; url: string }> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-migration-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'waymark.db');
    return { db: new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(path) }) }), url: `sqlite:${path}` };
  }
  const made = await createTestDatabase();
  cleanups.push(made.drop);
  return { db: new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: made.url }) }) }), url: made.url };
}
