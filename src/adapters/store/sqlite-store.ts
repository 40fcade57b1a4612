import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, sql } from 'kysely';
import type { DatabaseConnection, Driver, SqliteDialectConfig } from 'kysely';
import type { Store } from '../../ports/store.js';
import { sqliteHitWriter } from './hits/sqlite.js';
import { createKyselyStore } from './kysely-store.js';
import type { StoreDialect } from './store-dialect.js';
import { runMigrations } from './migrations/index.js';
import type { Database } from './schema.js';

/** How long a writer waits for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

export interface SqliteStore extends Store {
  readonly backend: 'sqlite';
  /** Reads a pragma on the store's connection (diagnostics and tests), e.g. `journal_mode`. */
  pragma(name: string): unknown;
}

/**
 * Kysely's SQLite driver with `BEGIN IMMEDIATE` transactions: the write lock is taken up front, so
 * `busy_timeout` applies if another process (a CLI next to the server) holds it, instead of a
 * deferred transaction failing with SQLITE_BUSY when it upgrades from reading to writing.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/**
 * Opens (creating it and its directory if needed) a SQLite database file, or `:memory:`.
 * Durability: WAL with `synchronous = FULL`, so every committed transaction is fsynced and
 * survives kill -9 and power loss. Call `migrate()` before use.
 */
export function createSqliteStore(path: string): SqliteStore {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Owner-only from the first byte: SQLite gives the -wal and -shm files the database's mode.
    closeSync(openSync(path, 'a', 0o600));
  }
  const raw = new BetterSqlite3(path);
  try {
    raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.pragma('foreign_keys = ON');
  } catch (error) {
    raw.close();
    throw error;
  }

  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: raw }) });

  let destroyed = false;
  const dialect: StoreDialect = {
    backend: 'sqlite',
    bool: (value) => (value ? 1 : 0),

    writeHits: sqliteHitWriter(db, raw),

    async claimDue(now, leaseUntil, limit) {
      return db.transaction().execute(async (trx) => {
        const due = await trx
          .selectFrom('emails')
          .select('id')
          .where('status', '=', 'queued')
          .where('next_attempt_at', '<=', now)
          .orderBy('next_attempt_at')
          .orderBy('id')
          .limit(limit)
          .execute();
        if (due.length === 0) return [];
        const ids = due.map((r) => r.id);
        const rows = await trx
          .updateTable('emails')
          .set((eb) => ({ next_attempt_at: leaseUntil, delivery_attempts: eb('delivery_attempts', '+', 1) }))
          .where('id', 'in', ids)
          .returningAll()
          .execute();
        const order = new Map(ids.map((id, i) => [id, i]));
        return rows.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
      });
    },

    async migrate() {
      // Kysely runs SQLite migrations outside a transaction. Run them in one BEGIN IMMEDIATE
      // transaction on the (single) connection instead: a migration is all or nothing, and a
      // second process starting at the same time waits (busy_timeout) and then finds nothing
      // left to do.
      await db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          await runMigrations(conn, 'sqlite');
          await sql`commit`.execute(conn);
        } catch (error) {
          if (raw.inTransaction) await sql`rollback`.execute(conn);
          throw error;
        }
      });
    },

    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await db.destroy(); // closes `raw`
    },
  };

  return {
    ...createKyselyStore(db, dialect),
    backend: 'sqlite',
    pragma: (name: string): unknown => raw.pragma(name, { simple: true }),
  };
}
