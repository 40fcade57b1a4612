import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { Store } from '../../ports/store.js';
import { postgresHitWriter } from './hits/postgres.js';
import { createKyselyStore } from './kysely-store.js';
import type { StoreDialect } from './store-dialect.js';
import { runMigrations } from './migrations/index.js';
import type { Database, EmailsTable } from './schema.js';

export interface PostgresStoreOptions {
  /** Pool size (default 10). */
  maxConnections?: number;
  /**
   * Errors of idle pooled connections (e.g. the server restarted). The pool drops the broken
   * connection either way; without a listener such an error would crash the process.
   */
  onPoolError?: (error: Error) => void;
}

const INT8_OID = 20;

/** Times are epoch milliseconds in `bigint` columns and counts are `bigint`: read them as numbers. */
function parseInt8(value: string): number {
  return Number(value);
}

const getTypeParser = ((oid: number, format?: 'text' | 'binary') =>
  oid === INT8_OID && format !== 'binary'
    ? parseInt8
    : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

/** A store on a PostgreSQL database (`postgres://…`). Call `migrate()` before use. */
export function createPostgresStore(connectionString: string, options: PostgresStoreOptions = {}): Store {
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    application_name: 'waymark',
    // Per pool, so other users of `pg` in the process keep the default parsers.
    types: { getTypeParser },
  });
  const onError = options.onPoolError ?? (() => {});
  pool.on('error', onError);
  // A connection the server ends while it is checked out (between a transaction's statements)
  // emits 'error' on its client, where the pool does not listen: unheard, it would crash the process.
  // The statement under way fails on its own; the pool then drops the broken client.
  pool.on('connect', (client) => client.on('error', onError));

  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

  const dialect: StoreDialect = {
    backend: 'postgres',
    bool: (value) => value,

    writeHits: postgresHitWriter(db),

    async claimDue(now, leaseUntil, limit) {
      // SKIP LOCKED: rows another node is claiming right now are skipped, not waited for, and a
      // row claimed (and committed) meanwhile fails the re-check of `next_attempt_at <= now`.
      // MATERIALIZED: the locking subquery runs exactly once.
      const { rows } = await sql<Selectable<EmailsTable>>`
        with due as materialized (
          select id, next_attempt_at as due_at
          from emails
          where status = 'queued' and next_attempt_at <= ${now}
          order by next_attempt_at, id
          limit ${limit}
          for no key update skip locked
        ), claimed as (
          update emails as e
          set next_attempt_at = ${leaseUntil}, delivery_attempts = e.delivery_attempts + 1
          from due
          where e.id = due.id
          returning e.*, due.due_at as claim_due_at
        )
        select * from claimed order by claim_due_at, id`.execute(db);
      return rows;
    },

    migrate: () => runMigrations(db, 'postgres'),
    destroy: () => db.destroy(), // ends the pool
  };

  return createKyselyStore(db, dialect);
}
