import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from '../schema.js';

/**
 * How far each node's hit journal has been ingested. The row is written in the same transaction as
 * the hits it covers, so a crash or a retry resumes exactly after them: no hit counted twice.
 */
export function journalPositionsMigration(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('journal_positions')
        .ifNotExists()
        .addColumn('journal_id', t.id, (c) => c.primaryKey())
        .addColumn('segment', t.time, (c) => c.notNull())
        .addColumn('byte_offset', t.time, (c) => c.notNull())
        .addColumn('updated_at', t.time, (c) => c.notNull())
        .execute();
    },
  };
}
