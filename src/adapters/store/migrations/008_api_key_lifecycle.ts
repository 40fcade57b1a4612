import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { Backend, ColumnTypes } from '../schema.js';

/**
 * API keys get an optional expiry, a `sending` role, and a sending key can be limited to one
 * sending domain. Revoking a key deletes its row, so no column is needed for that.
 *
 * The role's CHECK constraint changes: PostgreSQL swaps it; SQLite cannot alter a constraint, so
 * the table is rebuilt (nothing references api_keys, and its index is made again).
 */
export function apiKeyLifecycleMigration(t: ColumnTypes, backend: Backend): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (backend === 'postgres') {
        await db.schema.alterTable('api_keys').dropConstraint('api_keys_role_check').execute();
        await db.schema.alterTable('api_keys').addCheckConstraint('api_keys_role_check', sql`role in ('admin', 'member', 'sending')`).execute();
        await db.schema.alterTable('api_keys').addColumn('expires_at', t.time).execute();
        await db.schema.alterTable('api_keys').addColumn('domain_id', t.id).execute();
        return;
      }
      await db.schema
        .createTable('api_keys_next')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('last_used_at', t.time)
        .addColumn('expires_at', t.time)
        .addColumn('domain_id', t.id)
        .addCheckConstraint('api_keys_role_check', sql`role in ('admin', 'member', 'sending')`)
        .execute();
      await sql`insert into api_keys_next (id, project_id, name, role, prefix, hash, created_at, last_used_at)
        select id, project_id, name, role, prefix, hash, created_at, last_used_at from api_keys`.execute(db);
      await db.schema.dropTable('api_keys').execute();
      await db.schema.alterTable('api_keys_next').renameTo('api_keys').execute();
      await db.schema.createIndex('api_keys_project_idx').on('api_keys').columns(['project_id', 'id']).execute();
    },
  };
}
