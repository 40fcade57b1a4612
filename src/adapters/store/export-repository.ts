import type { Kysely } from 'kysely';
import type { ExportRepository } from '../../ports/exports.js';
import type { Database } from './schema.js';
import { normalizeId, toJob } from './rows.js';

export function exportRepository(db: Kysely<Database>): ExportRepository {
  return {
    async create(job) {
      const row = await db
        .insertInto('exports')
        .values({
          id: job.id,
          project_id: job.projectId,
          resource: job.resource,
          filters: JSON.stringify(job.filters),
          status: job.status ?? 'running',
          rows: null,
          rows_done: 0,
          created_by: job.createdBy,
          created_at: job.createdAt,
          expires_at: job.expiresAt,
          error: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toJob(row);
    },
    async get(projectId, id) {
      const pid = normalizeId(projectId);
      const eid = normalizeId(id);
      if (pid === undefined || eid === undefined) return undefined;
      const row = await db.selectFrom('exports').selectAll().where('id', '=', eid).where('project_id', '=', pid).executeTakeFirst();
      return row && toJob(row);
    },
    async list(projectId, page) {
      const pid = normalizeId(projectId);
      if (pid === undefined || page.limit <= 0) return [];
      let q = db.selectFrom('exports').selectAll().where('project_id', '=', pid);
      if (page.after !== undefined) {
        const after = normalizeId(page.after);
        if (after === undefined) return [];
        q = q.where('id', '<', after);
      }
      return (await q.orderBy('id', 'desc').limit(page.limit).execute()).map(toJob);
    },
    async progress(id, rowsDone) {
      await db.updateTable('exports').set({ rows_done: rowsDone }).where('id', '=', id).execute();
    },
    async finish(id, rows) {
      await db.updateTable('exports').set({ status: 'completed', rows, rows_done: rows }).where('id', '=', id).execute();
    },
    async fail(id, error) {
      await db.updateTable('exports').set({ status: 'failed', error }).where('id', '=', id).execute();
    },
  };
}
