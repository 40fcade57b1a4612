import type { Kysely } from 'kysely';
import type { ExportJob, ExportRepository, ExportStatus } from '../../ports/exports.js';
import type { Database } from './schema.js';
import { normalizeId } from './rows.js';

/** The `exports` table of migration 004_analytics (kept here, not in schema.ts). */
export type ExportTables = {
  exports: {
    id: string;
    project_id: string;
    resource: string;
    filters: string;
    status: string;
    rows: number | null;
    rows_done: number;
    created_by: string;
    created_at: number;
    expires_at: number;
    error: string | null;
  };
};


function toJob(r: ExportTables['exports']): ExportJob {
  return {
    id: r.id,
    projectId: r.project_id,
    resource: r.resource,
    filters: JSON.parse(r.filters) as Record<string, string>,
    status: r.status as ExportStatus,
    rows: r.rows === null ? null : Number(r.rows),
    rowsDone: Number(r.rows_done),
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    error: r.error,
  };
}

export function exportRepository(base: Kysely<Database>): ExportRepository {
  const db = base.withTables<ExportTables>();
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
