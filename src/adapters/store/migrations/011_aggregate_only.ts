import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from '../schema.js';

/**
 * The aggregate-only tracking mode: the tokens of such an email name a cohort (project, sending
 * domain, tags and send hour), never the email, and its hits only move the cohort's counts.
 *
 * - `aggregate_cohorts`: one row per (project, domain, tag set, hour), made by the first email of
 *   the cohort sent in the mode;
 * - `emails.aggregate_only` and `domains.aggregate_only`: the mode of the email, and the default of
 *   the domain;
 * - `analytics_rollups.aggregate_only_sent`: how many of `sent` were sent in the mode, whose opens
 *   and clicks count in the totals but never in the unique counts.
 */
export function aggregateOnlyMigration(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('aggregate_cohorts')
        .ifNotExists()
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id'))
        .addColumn('domain_id', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('bucket', t.time, (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addUniqueConstraint('aggregate_cohorts_key', ['project_id', 'domain_id', 'tags', 'bucket'])
        .execute();
      await db.schema.alterTable('emails').addColumn('aggregate_only', t.bool, (c) => c.notNull().defaultTo(sql`false`)).execute();
      await db.schema.alterTable('domains').addColumn('aggregate_only', t.bool, (c) => c.notNull().defaultTo(sql`false`)).execute();
      await db.schema.alterTable('analytics_rollups').addColumn('aggregate_only_sent', t.time, (c) => c.notNull().defaultTo(0)).execute();
    },
  };
}
