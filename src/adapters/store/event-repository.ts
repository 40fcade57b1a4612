import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { EventFilter, EventRepository } from '../../ports/store.js';
import { JOURNAL_START } from '../../ports/journal-position.js';
import { hitBatch } from './hits/batch.js';
import { reclassifyPage } from './hits/reclassify.js';
import { readPosition } from './journal-positions.js';
import type { StoreDialect } from './store-dialect.js';
import { normalizeId, pageCursor, pageLimit, requireId, toEvent } from './rows.js';
import type { Database } from './schema.js';

export function eventRepository(db: Kysely<Database>, dialect: Pick<StoreDialect, 'backend' | 'writeHits'>): EventRepository {
  return {
    async appendHits(hits, journal) {
      const batch = hitBatch(hits, journal);
      if (batch !== null) await dialect.writeHits(batch);
    },

    async journalPosition(journalId) {
      return (await readPosition(db, journalId)) ?? JOURNAL_START;
    },

    reclassify(after, limit) {
      return reclassifyPage(db, dialect.backend, after, limit);
    },

    async syncIngested(journalId) {
      // One durable commit: on SQLite it fsyncs the WAL, and with it every commit before it.
      await db
        .updateTable('journal_positions')
        .set({ updated_at: Date.now() })
        .where('journal_id', '=', requireId(journalId, 'journal id'))
        .execute();
    },

    async list(projectId, filter: EventFilter) {
      const limit = pageLimit(filter);
      const pid = normalizeId(projectId);
      const after = pageCursor(filter);
      if (limit === 0 || pid === undefined || after === null) return [];
      let q = db.selectFrom('email_events').selectAll().where('project_id', '=', pid);
      if (filter.emailId !== undefined) {
        const eid = normalizeId(filter.emailId);
        if (eid === undefined) return [];
        q = q.where('email_id', '=', eid);
      }
      if (filter.type !== undefined) q = q.where('type', '=', filter.type);
      if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
      if (filter.until !== undefined) q = q.where('created_at', '<', filter.until);
      if (filter.classification !== undefined || filter.proxy !== undefined) q = q.where('type', 'in', ['opened', 'clicked']);
      if (filter.classification === 'machine') q = q.where('classification', '<>', 'human');
      else if (filter.classification !== undefined) q = q.where('classification', '=', filter.classification);
      if (filter.proxy === 'none') q = q.where('proxy', 'is', null);
      else if (filter.proxy !== undefined) q = q.where('proxy', '=', filter.proxy);
      if (after !== undefined) q = q.where('id', '<', after);
      const rows = await q.orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toEvent);
    },

    async purgeBefore(before, limit) {
      if (!Number.isSafeInteger(limit) || limit <= 0) throw new RangeError(`Invalid purge batch ${String(limit)}: expected a positive integer`);
      if (!Number.isSafeInteger(before)) throw new TypeError(`Invalid purge time ${String(before)}`);
      // The oldest events first (email_events_created_idx), skipping any that a pending delivery
      // will be built from: an email event's delivery has message_id = event_id, so the check is
      // one lookup in webhook_deliveries_project_idx per candidate.
      let victims = db
        .selectFrom('email_events as e')
        .select('e.id')
        .where('e.created_at', '<', before)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('webhook_deliveries as d')
                .select(sql.lit(1).as('one'))
                .whereRef('d.project_id', '=', 'e.project_id')
                .whereRef('d.message_id', '=', 'e.id')
                .whereRef('d.event_id', '=', 'e.id')
                .where('d.status', '=', 'pending'),
            ),
          ),
        )
        .orderBy('e.created_at')
        .limit(limit);
      // Several nodes may purge at once: each takes rows no other is deleting.
      if (dialect.backend === 'postgres') victims = victims.forUpdate().skipLocked();
      // One statement, so one short transaction: on SQLite the write lock is held for one batch only.
      const result = await db.deleteFrom('email_events').where('id', 'in', victims).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
