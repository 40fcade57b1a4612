import type { Kysely, Migration } from 'kysely';

/**
 * Two indexes, for event retention and the delivery-log export:
 *
 * - `email_events (created_at)`: the retention purge deletes the oldest events in bounded batches,
 *   found by creation time (ids are time-ordered too, but minted from the wall clock, not from the
 *   time the event is recorded at).
 * - `webhook_deliveries (project_id, message_id, endpoint_id)`: the delivery log of a whole project,
 *   newest first and keyset-paged, and the purge's check that no pending delivery still needs an
 *   event (an email event's delivery has `message_id = event_id`, see webhook-repository.ts).
 *
 * Built in the migration's transaction: on a large PostgreSQL database, writes to those tables wait
 * while the indexes are built, once.
 */
export function retentionMigration(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('email_events_created_idx').ifNotExists().on('email_events').columns(['created_at']).execute();
      await db.schema
        .createIndex('webhook_deliveries_project_idx')
        .ifNotExists()
        .on('webhook_deliveries')
        .columns(['project_id', 'message_id', 'endpoint_id'])
        .execute();
    },
  };
}
