import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, sql } from 'kysely';
import type { DatabaseConnection, Driver, SqliteDialectConfig } from 'kysely';
import type { Store, TrackingHit } from '../../ports/store.js';
import { sqliteHitRollups } from './analytics-repository.js';
import { createKyselyStore } from './kysely-store.js';
import type { HitTotals, StoreDialect } from './kysely-store.js';
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

  // Prepared once, on first use (the tables must exist first).
  let writeBatch: ((hits: readonly TrackingHit[], totals: readonly HitTotals[]) => void) | undefined;

  function prepareWriteBatch(): (hits: readonly TrackingHit[], totals: readonly HitTotals[]) => void {
    // The email is updated first: RETURNING tells whether it exists and gives its project, so the
    // events are plain single-row INSERT ... VALUES. (An INSERT ... SELECT needs a statement
    // journal per row, which measured ~4 µs of extra I/O per hit.)
    // scalar min() is NULL if either side is; coalesce keeps whichever side is set.
    const updateEmail = raw
      .prepare<[Record<string, unknown>], string>(`
      update emails set
        open_count = open_count + @opens,
        click_count = click_count + @clicks,
        opened_at = coalesce(min(opened_at, @firstOpenAt), opened_at, @firstOpenAt),
        clicked_at = coalesce(min(clicked_at, @firstClickAt), clicked_at, @firstClickAt),
        last_event = case when last_event_at is null or last_event_at < @lastAt then @lastType else last_event end,
        last_event_at = case when last_event_at is null or last_event_at < @lastAt then @lastAt else last_event_at end
      where id = @emailId
      returning project_id`)
      .pluck();
    const insertEvent = raw.prepare<[Record<string, unknown>]>(`
      insert into email_events
        (id, project_id, email_id, type, created_at, ip, user_agent, referer, link_index, url, detail)
      values (@id, @projectId, @emailId, @type, @createdAt, @ip, @userAgent, @referer, @linkIndex, @url, null)`);
    // Webhooks: the project's subscribed endpoints are read once per batch, and a delivery row is
    // written beside each event, in the same transaction (the outbox).
    const enabledEndpoints = raw.prepare<[string], { id: string; events: string }>(
      `select id, events from webhook_endpoints where project_id = ? and enabled = 1`,
    );
    const insertDelivery = raw.prepare<[Record<string, unknown>]>(`
      insert into webhook_deliveries
        (endpoint_id, message_id, project_id, event_type, event_id, payload, status, attempts, next_attempt_at, created_at)
      values (@endpointId, @eventId, @projectId, @type, @eventId, null, 'pending', 0, @createdAt, @createdAt)`);
    const applyRollups = sqliteHitRollups(raw);
    const txn = raw.transaction((hits: readonly TrackingHit[], totals: readonly HitTotals[]) => {
      // Analytics rollups first: they read the emails as they were before this batch.
      applyRollups(hits);
      const subscribers = new Map<string, { opened: string[]; clicked: string[] }>();
      const subscribersOf = (projectId: string) => {
        let found = subscribers.get(projectId);
        if (found === undefined) {
          found = { opened: [], clicked: [] };
          for (const e of enabledEndpoints.all(projectId)) {
            const events = JSON.parse(e.events) as string[];
            if (events.includes('email.opened')) found.opened.push(e.id);
            if (events.includes('email.clicked')) found.clicked.push(e.id);
          }
          subscribers.set(projectId, found);
        }
        return found;
      };
      const projectOf = new Map<string, string>();
      for (const t of totals) {
        const projectId = updateEmail.get({
          emailId: t.emailId,
          opens: t.opens,
          clicks: t.clicks,
          firstOpenAt: t.firstOpenAt,
          firstClickAt: t.firstClickAt,
          lastType: t.lastType,
          lastAt: t.lastAt,
        });
        if (projectId !== undefined) projectOf.set(t.emailId, projectId);
      }
      for (const h of hits) {
        const projectId = projectOf.get(h.emailId);
        if (projectId === undefined) continue; // no such email: the hit is dropped
        insertEvent.run({
          id: h.id,
          projectId,
          emailId: h.emailId,
          type: h.type,
          createdAt: h.createdAt,
          ip: h.ip,
          userAgent: h.userAgent,
          referer: h.referer,
          linkIndex: h.linkIndex,
          url: h.url,
        });
        const type = h.type === 'opened' ? 'email.opened' : 'email.clicked';
        for (const endpointId of subscribersOf(projectId)[h.type]) {
          insertDelivery.run({ endpointId, eventId: h.id, projectId, type, createdAt: h.createdAt });
        }
      }
    });
    return (hits, totals) => txn.immediate(hits, totals);
  }

  let destroyed = false;
  const dialect: StoreDialect = {
    backend: 'sqlite',
    bool: (value) => (value ? 1 : 0),

    async writeHits(hits, totals) {
      // Holding Kysely's connection (a mutex on the single connection) keeps this synchronous
      // transaction from landing inside a Kysely transaction that is waiting between statements.
      await db.connection().execute(async () => {
        writeBatch ??= prepareWriteBatch();
        writeBatch(hits, totals);
      });
    },

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
