import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../../src/adapters/store/open-store.js';
import type { Store } from '../../src/ports/store.js';

/** The PostgreSQL server the tests use; CI sets it, a laptop without one skips the PostgreSQL runs. */
export function testDatabaseUrl(): string | undefined {
  return process.env.WAYMARK_TEST_DATABASE_URL || undefined;
}

export function requirePostgres(): boolean {
  if (testDatabaseUrl()) return true;
  if (process.env.CI) throw new Error('WAYMARK_TEST_DATABASE_URL must be set in CI: the PostgreSQL tests cannot be skipped there');
  return false;
}

/** Creates a uniquely named database and returns its URL, plus a function that drops it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = testDatabaseUrl();
  if (!adminUrl) throw new Error('WAYMARK_TEST_DATABASE_URL is not set');
  const name = `waymark_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = '/' + name;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A migrated store on `backend`: SQLite in memory, or a fresh PostgreSQL database; `close` drops it. */
export async function openTestStore(backend: 'sqlite' | 'postgres'): Promise<{ store: Store; close: () => Promise<void> }> {
  const db = backend === 'postgres' ? await createTestDatabase() : null;
  const store = await openStore(db?.url ?? 'sqlite::memory:');
  await store.migrate();
  return {
    store,
    async close() {
      await store.close();
      await db?.drop();
    },
  };
}
