import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { Store } from '../../ports/store.js';
import { postgresHitRollups } from './analytics-repository.js';
import { createKyselyStore } from './kysely-store.js';
import type { StoreDialect } from './kysely-store.js';
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
  pool.on('error', options.onPoolError ?? (() => {}));

  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

  const dialect: StoreDialect = {
    backend: 'postgres',
    bool: (value) => value,

    async writeHits(hits, totals) {
      // Emails are locked in id order so that two nodes committing batches that touch the same
      // emails cannot deadlock. NO KEY UPDATE (what the UPDATE takes anyway) does not block the
      // FOR KEY SHARE locks that the events' foreign-key checks take.
      const lockOrder = totals.map((t) => t.emailId).sort();
      await db.transaction().execute(async (trx) => {
        // The events and the outbox (a delivery per event and subscribed endpoint) in one statement:
        // a data-modifying WITH runs once, whatever the outer insert reads of it. As two statements,
        // the second re-read the events it had just written, a round trip and ~0.6 ms a batch.
        await sql`
          with ev as (
            insert into email_events
              (id, project_id, email_id, type, created_at, ip, user_agent, referer, link_index, url, detail)
            select h.id, e.project_id, e.id, h.type, h.created_at, h.ip, h.user_agent, h.referer, h.link_index, h.url, null
            from unnest(
              ${hits.map((h) => h.id)}::uuid[],
              ${hits.map((h) => h.emailId)}::uuid[],
              ${hits.map((h) => h.type)}::text[],
              ${hits.map((h) => h.createdAt)}::bigint[],
              ${hits.map((h) => h.ip)}::text[],
              ${hits.map((h) => h.userAgent)}::text[],
              ${hits.map((h) => h.referer)}::text[],
              ${hits.map((h) => h.linkIndex)}::integer[],
              ${hits.map((h) => h.url)}::text[]
            ) as h(id, email_id, type, created_at, ip, user_agent, referer, link_index, url)
            join emails e on e.id = h.email_id
            returning id, project_id, type, created_at
          )
          insert into webhook_deliveries
            (endpoint_id, message_id, project_id, event_type, event_id, payload, status, attempts, next_attempt_at, created_at)
          select w.id, ev.id, ev.project_id, 'email.' || ev.type, ev.id, null, 'pending', 0, ev.created_at, ev.created_at
          from ev
          join webhook_endpoints w on w.project_id = ev.project_id and w.enabled
            and w.events like '%"email.' || ev.type || '"%'`.execute(trx);
        await sql`select 1 from emails where id = any(${lockOrder}::uuid[]) order by id for no key update`.execute(trx);
        await postgresHitRollups(trx, hits); // analytics rollups: after the lock, before the update
        // least() ignores NULLs: the earliest of the stored and the batch's first time.
        await sql`
          update emails as e set
            open_count = e.open_count + t.opens,
            click_count = e.click_count + t.clicks,
            opened_at = least(e.opened_at, t.first_open_at),
            clicked_at = least(e.clicked_at, t.first_click_at),
            last_event = case when e.last_event_at is null or e.last_event_at < t.last_at then t.last_type else e.last_event end,
            last_event_at = case when e.last_event_at is null or e.last_event_at < t.last_at then t.last_at else e.last_event_at end
          from unnest(
            ${totals.map((t) => t.emailId)}::uuid[],
            ${totals.map((t) => t.opens)}::integer[],
            ${totals.map((t) => t.clicks)}::integer[],
            ${totals.map((t) => t.firstOpenAt)}::bigint[],
            ${totals.map((t) => t.firstClickAt)}::bigint[],
            ${totals.map((t) => t.lastType)}::text[],
            ${totals.map((t) => t.lastAt)}::bigint[]
          ) as t(email_id, opens, clicks, first_open_at, first_click_at, last_type, last_at)
          where e.id = t.email_id`.execute(trx);
      });
    },

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
