import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from '../schema.js';

/**
 * API keys get an optional expiry, and a `sending` key can be limited to one sending domain.
 * Revoking a key deletes its row, so no column is needed for that.
 */
export function apiKeyLifecycleMigration(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('api_keys').addColumn('expires_at', t.time).execute();
      await db.schema.alterTable('api_keys').addColumn('domain_id', t.id).execute();
    },
  };
}
