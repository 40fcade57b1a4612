import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from '../schema.js';

/**
 * `emails.last_human_hit_at`: no hit of the email labelled a person's is later than this (null: none
 * is). The context rules only ever relabel a person's hit, so a batch whose own hits of an email are
 * all a machine's need not read back that email's stored hits older than it. An upper bound, kept
 * exact where hits are labelled and where they change sides; it starts at the last event, which no
 * hit is later than, so no table of events is read here.
 */
export function lastHumanHitMigration(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('emails').addColumn('last_human_hit_at', t.time).execute();
      await sql`update emails set last_human_hit_at = last_event_at where last_event_at is not null`.execute(db);
    },
  };
}
