import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { Backend, ColumnTypes } from '../schema.js';

/**
 * Sending domains and their tracking hosts. A domain's records and their check results are one
 * JSON column: they are always read and written together. Tracking hosts are rows of their own
 * because their integer id travels in every token minted on them; a host row outlives its domain
 * (as a tombstone, `deleted_at`), so its id is never reused and its links answer 404.
 */
export function domainsMigration(t: ColumnTypes, backend: Backend): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('domains')
        .ifNotExists()
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id'))
        // One owner per name across projects: tracking hosts must route to exactly one project.
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('return_path', 'text', (c) => c.notNull())
        .addColumn('open_tracking', t.bool, (c) => c.notNull())
        .addColumn('click_tracking', t.bool, (c) => c.notNull())
        .addColumn('tls', 'text', (c) => c.notNull())
        .addColumn('dkim_selector', 'text', (c) => c.notNull())
        .addColumn('dkim_public_key', 'text', (c) => c.notNull())
        .addColumn('dkim_private_key', 'text', (c) => c.notNull())
        .addColumn('tracking_subdomain', 'text')
        .addColumn('tracking_subdomain_set_at', t.time)
        .addColumn('active_host_id', 'integer')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('records', 'text', (c) => c.notNull())
        .addColumn('verification_started_at', t.time)
        .addColumn('last_checked_at', t.time)
        .addColumn('next_check_at', t.time)
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('updated_at', t.time, (c) => c.notNull())
        .addCheckConstraint('domains_tls_check', sql`tls in ('opportunistic', 'enforced')`)
        .execute();
      await db.schema.createIndex('domains_project_idx').ifNotExists().on('domains').columns(['project_id', 'id']).execute();
      await db.schema.createIndex('domains_due_idx').ifNotExists().on('domains').columns(['next_check_at']).execute();

      await db.schema
        .createTable('tracking_hosts')
        .ifNotExists()
        .addColumn('id', 'integer', (c) =>
          backend === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
        )
        // No foreign key: the row stays when its domain is deleted.
        .addColumn('domain_id', t.id, (c) => c.notNull())
        .addColumn('project_id', t.id, (c) => c.notNull())
        .addColumn('hostname', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('verified_at', t.time)
        .addColumn('deleted_at', t.time)
        .addCheckConstraint('tracking_hosts_status_check', sql`status in ('not_verified', 'pending', 'verified')`)
        .execute();
      // A hostname belongs to one live domain at a time; tombstones may repeat it.
      await sql`create unique index if not exists tracking_hosts_live_hostname on tracking_hosts (hostname) where deleted_at is null`.execute(db);
      await db.schema.createIndex('tracking_hosts_domain_idx').ifNotExists().on('tracking_hosts').columns(['domain_id', 'id']).execute();

      // Which tracking host an email's links were minted on (0: the default host).
      if (backend === 'postgres') {
        await sql`alter table emails add column if not exists tracking_host_id integer not null default 0`.execute(db);
      } else {
        const { rows } = await sql<{ name: string }>`select name from pragma_table_info('emails')`.execute(db);
        if (!rows.some((r) => r.name === 'tracking_host_id')) {
          await sql`alter table emails add column tracking_host_id integer not null default 0`.execute(db);
        }
      }
      // Deleting a domain counts the mail whose links it would break.
      await db.schema.createIndex('emails_tracking_host_idx').ifNotExists().on('emails').columns(['tracking_host_id', 'created_at']).execute();
    },
  };
}
