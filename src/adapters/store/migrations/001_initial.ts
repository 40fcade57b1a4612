import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from '../schema.js';

/**
 * The initial schema. Every statement is `if not exists`, so a run interrupted half-way can be
 * repeated (PostgreSQL runs migrations in a transaction anyway; on SQLite the store wraps the run in
 * one `BEGIN IMMEDIATE` transaction as well, see sqlite-store.ts).
 */
export function initialMigration(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('projects')
        .ifNotExists()
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('is_default', t.bool, (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .execute();
      // At most one default project, even if two nodes bootstrap at the same time.
      await sql`create unique index if not exists projects_single_default on projects (is_default) where is_default = ${sql.lit(true)}`.execute(
        db,
      );

      await db.schema
        .createTable('api_keys')
        .ifNotExists()
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('last_used_at', t.time)
        .addCheckConstraint('api_keys_role_check', sql`role in ('admin', 'member')`)
        .execute();
      await db.schema.createIndex('api_keys_project_idx').ifNotExists().on('api_keys').columns(['project_id', 'id']).execute();

      await db.schema
        .createTable('emails')
        .ifNotExists()
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id'))
        .addColumn('from_address', 'text', (c) => c.notNull())
        .addColumn('to_addresses', 'text', (c) => c.notNull())
        .addColumn('cc_addresses', 'text', (c) => c.notNull())
        .addColumn('bcc_addresses', 'text', (c) => c.notNull())
        .addColumn('reply_to', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('html_body', 'text')
        .addColumn('text_body', 'text')
        .addColumn('headers', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('track_opens', t.bool, (c) => c.notNull())
        .addColumn('track_clicks', 'text', (c) => c.notNull())
        .addColumn('links', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_detail', 'text')
        .addColumn('message_id', 'text')
        .addColumn('delivery_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', t.time)
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('sent_at', t.time)
        .addColumn('opened_at', t.time)
        .addColumn('clicked_at', t.time)
        .addColumn('open_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('click_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_event', 'text')
        .addColumn('last_event_at', t.time)
        .addCheckConstraint('emails_status_check', sql`status in ('queued', 'sent', 'captured', 'failed')`)
        .addCheckConstraint('emails_track_clicks_check', sql`track_clicks in ('off', 'html', 'text', 'html_and_text')`)
        .addCheckConstraint('emails_last_event_check', sql`last_event in ('sent', 'failed', 'opened', 'clicked')`)
        .execute();
      await db.schema.createIndex('emails_project_idx').ifNotExists().on('emails').columns(['project_id', 'id']).execute();
      // claimDue: status = 'queued' and next_attempt_at <= now, oldest first.
      await db.schema.createIndex('emails_due_idx').ifNotExists().on('emails').columns(['status', 'next_attempt_at']).execute();

      await db.schema
        .createTable('email_events')
        .ifNotExists()
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id'))
        .addColumn('email_id', t.id, (c) => c.notNull().references('emails.id'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('referer', 'text')
        .addColumn('link_index', 'integer')
        .addColumn('url', 'text')
        .addColumn('detail', 'text')
        .addCheckConstraint('email_events_type_check', sql`type in ('sent', 'failed', 'opened', 'clicked')`)
        .execute();
      await db.schema.createIndex('email_events_project_idx').ifNotExists().on('email_events').columns(['project_id', 'id']).execute();
      await db.schema.createIndex('email_events_email_idx').ifNotExists().on('email_events').columns(['email_id', 'id']).execute();

      await db.schema
        .createTable('idempotency_keys')
        .ifNotExists()
        .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('email_id', t.id, (c) => c.notNull().references('emails.id'))
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['project_id', 'key'])
        .execute();
    },
  };
}
