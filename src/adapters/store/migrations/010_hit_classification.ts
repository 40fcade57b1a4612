import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import { tagKeysOf, bucketOf, NO_DOMAIN } from '../../../core/analytics/rollups.js';
import type { EmailTag } from '../../../core/model.js';
import type { ColumnTypes } from '../schema.js';

/**
 * Who made each hit: every open and click gets a classification (`human` or a machine kind), the
 * proxy it came through and the signals that decided (JSON), and every count gets its human part.
 *
 * Hits recorded before this were never classified: they stay counted as a person's (the column
 * default, so no table is rewritten), with no signals, until `waymark events reclassify` applies
 * the rules to them. The human counters start equal to the totals; the one exception is an email
 * clicked without a recorded open, which was not "opened" but is opened by a person (a click means
 * the message was read), added here email by email.
 */
export function hitClassificationMigration(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('email_events').addColumn('classification', 'text', (c) => c.defaultTo('human')).execute();
      await db.schema.alterTable('email_events').addColumn('proxy', 'text').execute();
      await db.schema.alterTable('email_events').addColumn('signals', 'text').execute();

      await db.schema.alterTable('emails').addColumn('machine_open_count', t.time, (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('emails').addColumn('machine_click_count', t.time, (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('emails').addColumn('human_opened_at', t.time).execute();
      await db.schema.alterTable('emails').addColumn('human_clicked_at', t.time).execute();
      await sql`update emails set
          human_opened_at = case when opened_at is null then clicked_at when clicked_at is null then opened_at
            when opened_at < clicked_at then opened_at else clicked_at end,
          human_clicked_at = clicked_at
        where opened_at is not null or clicked_at is not null`.execute(db);

      for (const column of ['human_opened', 'human_opens', 'human_clicked', 'human_clicks']) {
        await db.schema.alterTable('analytics_rollups').addColumn(column, t.time, (c) => c.notNull().defaultTo(0)).execute();
      }
      await sql`update analytics_rollups set human_opened = opened, human_opens = opens, human_clicked = clicked, human_clicks = clicks`.execute(db);
      await addOpenedByClick(db);

      for (const column of ['human_clicks', 'human_unique_clicks']) {
        await db.schema.alterTable('analytics_link_rollups').addColumn(column, t.time, (c) => c.notNull().defaultTo(0)).execute();
      }
      await sql`update analytics_link_rollups set human_clicks = clicks, human_unique_clicks = unique_clicks`.execute(db);
      await db.schema.alterTable('analytics_client_rollups').addColumn('human_opens', t.time, (c) => c.notNull().defaultTo(0)).execute();
      await sql`update analytics_client_rollups set human_opens = opens`.execute(db);
      await db.schema.alterTable('email_link_clicks').addColumn('machine_clicks', t.time, (c) => c.notNull().defaultTo(0)).execute();

      await db.schema.alterTable('webhook_endpoints').addColumn('human_only', t.bool, (c) => c.notNull().defaultTo(sql`false`)).execute();
      // The hidden trap link (core/classification/trap.ts), per sending domain; off by default.
      await db.schema.alterTable('domains').addColumn('trap_link', t.bool, (c) => c.notNull().defaultTo(sql`false`)).execute();
    },
  };
}

/** Emails clicked but never opened count as opened by a person in their cohort's rows. */
async function addOpenedByClick(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ project_id: string; created_at: number | string; domain_id: string | null; tags: string }>`
    select project_id, created_at, domain_id, tags from emails where clicked_at is not null and opened_at is null`.execute(db);
  for (const row of rows) {
    const bucket = bucketOf(Number(row.created_at));
    for (const tag of tagKeysOf(JSON.parse(row.tags) as EmailTag[])) {
      await sql`update analytics_rollups set human_opened = human_opened + 1
        where project_id = ${row.project_id} and tag = ${tag} and bucket = ${bucket} and domain_id = ${row.domain_id ?? NO_DOMAIN}`.execute(db);
    }
  }
}
