import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from '../schema.js';

/**
 * Webhook endpoints and the delivery outbox. A delivery row is written in the same transaction as
 * the event that causes it (see outbox.ts), so an acknowledged event's webhooks survive a crash. The row is also the delivery log.
 */
export function webhooksMigration(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('webhook_endpoints')
        .ifNotExists()
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        // JSON array of event types.
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        // After a rotation the previous secret signs too, until previous_secret_until.
        .addColumn('previous_secret', 'text')
        .addColumn('previous_secret_until', t.time)
        .addColumn('enabled', t.bool, (c) => c.notNull())
        .addColumn('disabled_reason', 'text')
        // Start of the current run of failed attempts; null after a success.
        .addColumn('failing_since', t.time)
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('updated_at', t.time, (c) => c.notNull())
        .addCheckConstraint('webhook_endpoints_disabled_check', sql`disabled_reason in ('gone', 'failing', 'manual')`)
        .execute();
      await db.schema.createIndex('webhook_endpoints_project_idx').ifNotExists().on('webhook_endpoints').columns(['project_id', 'id']).execute();

      await db.schema
        .createTable('webhook_deliveries')
        .ifNotExists()
        .addColumn('endpoint_id', t.id, (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
        // The webhook-id (msg_<message_id>): the event's id for email events, so retries and
        // replays of one event keep one id.
        .addColumn('message_id', t.id, (c) => c.notNull())
        .addColumn('project_id', t.id, (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        // For email events: the email_events row the payload is built from at send time.
        .addColumn('event_id', t.id)
        // For other events (event.test, domain.updated): the payload as it will be sent.
        .addColumn('payload', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', t.time)
        .addColumn('last_attempt_at', t.time)
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('last_duration_ms', 'integer')
        .addColumn('last_response', 'text')
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint('webhook_deliveries_pk', ['endpoint_id', 'message_id'])
        .addCheckConstraint('webhook_deliveries_status_check', sql`status in ('pending', 'delivered', 'failed')`)
        .execute();
      // The worker's claim: pending and due, oldest first.
      await db.schema.createIndex('webhook_deliveries_due_idx').ifNotExists().on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
    },
  };
}
