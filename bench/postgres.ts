import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { registerCleanup } from './processes.js';

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  /** Connection URL of the fresh database (may hold a password: never printed). */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** The admin URL to use: WAYMARK_BENCH_DATABASE_URL, else the local default. */
export function postgresAdminUrl(): { url: string; fromEnv: boolean } {
  const env = process.env.WAYMARK_BENCH_DATABASE_URL?.trim();
  return env ? { url: env, fromEnv: true } : { url: DEFAULT_POSTGRES_URL, fromEnv: false };
}

/** Creates `waymark_bench_<random>` on the server, or returns why it could not. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase | { unavailable: string }> {
  const host = new URL(adminUrl).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1' && host !== '[::1]') {
    return { unavailable: `the benchmark only targets 127.0.0.1 (got host ${host})` };
  }
  const name = `waymark_bench_${randomBytes(6).toString('hex')}`;
  try {
    await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  } catch (err) {
    return { unavailable: err instanceof Error ? err.message : String(err) };
  }
  const url = new URL(adminUrl);
  url.pathname = '/' + name;
  return {
    url: url.toString(),
    name,
    async drop() {
      await withClient(adminUrl, async (c) => {
        try {
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } catch {
          await c.query(`DROP DATABASE IF EXISTS ${name}`); // PostgreSQL < 13
        }
      });
    },
  };
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The server's version and whether it commits durably (fsync, synchronous_commit). */
export async function postgresSettings(url: string): Promise<{ version: string; fsync: string; synchronousCommit: string }> {
  return withClient(url, async (c) => {
    const version = (await c.query<{ v: string }>('select version() as v')).rows[0]?.v ?? '?';
    const fsync = (await c.query<{ fsync: string }>('show fsync')).rows[0]?.fsync ?? '?';
    const synchronousCommit = (await c.query<{ synchronous_commit: string }>('show synchronous_commit')).rows[0]?.synchronous_commit ?? '?';
    return { version: version.split(' on ')[0] ?? version, fsync, synchronousCommit };
  });
}

/** The throwaway database for this run (dropped on exit whatever happens), or why there is none. */
export async function preparePostgres(wanted: boolean): Promise<{ db: BenchDatabase | null; note: string; release: () => Promise<string | null> }> {
  const none = async () => null;
  if (!wanted) return { db: null, note: 'skipped (BENCH_ONLY)', release: none };
  const admin = postgresAdminUrl();
  const where = admin.fromEnv ? 'WAYMARK_BENCH_DATABASE_URL' : '127.0.0.1:5432';
  const created = await createBenchDatabase(admin.url);
  if ('unavailable' in created) return { db: null, note: `not measured: ${where} unreachable (${created.unavailable})`, release: none };
  const unregister = registerCleanup(() => created.drop());
  const s = await postgresSettings(created.url);
  return {
    db: created,
    note:
      `${s.version} on ${where}, fresh database ${created.name} (dropped after); fsync=${s.fsync}, ` +
      `synchronous_commit=${s.synchronousCommit}; the PostgreSQL server itself is not pinned`,
    /** Drops the database now; returns an error message if that failed. */
    async release() {
      unregister();
      try {
        await created.drop();
        return null;
      } catch (err) {
        return `could not drop ${created.name}: ${err instanceof Error ? err.message : String(err)}`;
      }
    },
  };
}
