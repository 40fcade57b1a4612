import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { Backend, ColumnTypes } from '../schema.js';

/**
 * Analytics rollups: three tables, maintained in the same transaction as the events:
 *
 * - `analytics_rollups`: sent/opened/opens/clicked/clicks per (project, tag, hour, domain). `tag`
 *   is '' for "all emails" or `name:value`; `domain_id` is '' for emails without a domain. The
 *   hour is the email's send cohort (the hour it was created), see src/core/analytics/rollups.ts.
 * - `analytics_link_rollups`: clicks and unique clicks per link, same keys plus (link_index, url).
 * - `analytics_client_rollups`: opens per (client, device, os) of the user agent, same keys.
 * - `email_link_clicks`: clicks per (email, link), the per-email state that makes unique link
 *   clicks exact (a link's unique clicks = emails that clicked it at least once).
 *
 * Plus `exports`, the CSV export jobs.
 *
 * `emails.domain_id` (nullable) is added here if the domains issue has not added it already; this
 * migration only reads it. Every statement is idempotent so a repeated run is harmless.
 */
export function analyticsMigration(t: ColumnTypes, backend: Backend): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await addEmailsDomainId(db, t, backend);

      await db.schema
        .createTable('analytics_rollups')
        .ifNotExists()
        .addColumn('project_id', t.id, (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addColumn('bucket', t.time, (c) => c.notNull())
        .addColumn('domain_id', 'text', (c) => c.notNull())
        .addColumn('sent', t.time, (c) => c.notNull().defaultTo(0))
        .addColumn('opened', t.time, (c) => c.notNull().defaultTo(0))
        .addColumn('opens', t.time, (c) => c.notNull().defaultTo(0))
        .addColumn('clicked', t.time, (c) => c.notNull().defaultTo(0))
        .addColumn('clicks', t.time, (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('analytics_rollups_pk', ['project_id', 'tag', 'bucket', 'domain_id'])
        .execute();

      await db.schema
        .createTable('analytics_link_rollups')
        .ifNotExists()
        .addColumn('project_id', t.id, (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addColumn('bucket', t.time, (c) => c.notNull())
        .addColumn('domain_id', 'text', (c) => c.notNull())
        .addColumn('link_index', 'integer', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('clicks', t.time, (c) => c.notNull().defaultTo(0))
        .addColumn('unique_clicks', t.time, (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('analytics_link_rollups_pk', ['project_id', 'tag', 'bucket', 'domain_id', 'link_index', 'url'])
        .execute();

      await db.schema
        .createTable('analytics_client_rollups')
        .ifNotExists()
        .addColumn('project_id', t.id, (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addColumn('bucket', t.time, (c) => c.notNull())
        .addColumn('domain_id', 'text', (c) => c.notNull())
        .addColumn('client', 'text', (c) => c.notNull())
        .addColumn('device', 'text', (c) => c.notNull())
        .addColumn('os', 'text', (c) => c.notNull())
        .addColumn('opens', t.time, (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('analytics_client_rollups_pk', ['project_id', 'tag', 'bucket', 'domain_id', 'client', 'device', 'os'])
        .execute();

      // CSV exports: the job's state; the file is under WAYMARK_DATA_DIR/exports/<id>.csv.
      await db.schema
        .createTable('exports')
        .ifNotExists()
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id'))
        .addColumn('resource', 'text', (c) => c.notNull())
        .addColumn('filters', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('rows', 'integer')
        .addColumn('rows_done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_by', t.id, (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('expires_at', t.time, (c) => c.notNull())
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('exports_project_idx').ifNotExists().on('exports').columns(['project_id', 'id']).execute();

      await db.schema
        .createTable('email_link_clicks')
        .ifNotExists()
        .addColumn('email_id', t.id, (c) => c.notNull().references('emails.id'))
        .addColumn('link_index', 'integer', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('clicks', t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint('email_link_clicks_pk', ['email_id', 'link_index', 'url'])
        .execute();
    },
  };
}

async function addEmailsDomainId(db: Kysely<any>, t: ColumnTypes, backend: Backend): Promise<void> {
  if (backend === 'postgres') {
    await sql`alter table emails add column if not exists domain_id ${sql.raw(t.id)}`.execute(db);
    return;
  }
  const { rows } = await sql<{ name: string }>`select name from pragma_table_info('emails')`.execute(db);
  if (!rows.some((r) => r.name === 'domain_id')) {
    await sql`alter table emails add column domain_id text`.execute(db);
  }
}
