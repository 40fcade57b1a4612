import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { columnTypes } from '../schema.js';
import type { Backend } from '../schema.js';
import { initialMigration } from './001_initial.js';
import { webhooksMigration } from './002_webhooks.js';
import { analyticsMigration } from './004_analytics.js';
import { domainsMigration } from './005_domains.js';
import { retentionMigration } from './006_retention.js';
import { emailBodiesMigration } from './007_email_bodies.js';
import { apiKeyLifecycleMigration } from './008_api_key_lifecycle.js';
import { journalPositionsMigration } from './009_journal_positions.js';
import { hitClassificationMigration } from './010_hit_classification.js';
import { aggregateOnlyMigration } from './011_aggregate_only.js';
import { lastHumanHitMigration } from './012_last_human_hit.js';

/**
 * The store's migrations, in code (no directory scanning, so they work from `dist/` and from
 * bundles). Names sort in the order they run; never rename or edit a released migration, add one.
 */
export function migrationProvider(backend: Backend): MigrationProvider {
  const t = columnTypes(backend);
  const migrations: Record<string, Migration> = {
    '001_initial': initialMigration(t),
    '002_webhooks': webhooksMigration(t),
    '004_analytics': analyticsMigration(t, backend),
    // 003 was never released; 005 keeps the order for databases already at 004.
    '005_domains': domainsMigration(t, backend),
    '006_retention': retentionMigration(),
    '007_email_bodies': emailBodiesMigration(t),
    '008_api_key_lifecycle': apiKeyLifecycleMigration(t, backend),
    '009_journal_positions': journalPositionsMigration(t),
    '010_hit_classification': hitClassificationMigration(t),
    '011_aggregate_only': aggregateOnlyMigration(t),
    '012_last_human_hit': lastHumanHitMigration(t),
  };
  return { getMigrations: async () => migrations };
}

/** The names of every migration, in the order they run. */
export async function migrationNames(): Promise<string[]> {
  return Object.keys(await migrationProvider('sqlite').getMigrations()).sort();
}

/**
 * Runs every pending migration, throwing if one fails. On PostgreSQL, Kysely's Migrator holds a
 * session-level advisory lock (`pg_advisory_lock`) on a dedicated connection around one
 * transaction, so nodes starting together run the migrations once, one after the other; the
 * bookkeeping tables are created beforehand with `if not exists` plus a re-check on failure.
 */
export async function runMigrations(db: Kysely<any>, backend: Backend): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider(backend) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const cause = error instanceof Error ? error : new Error(String(error));
    throw new Error(`Store migration ${failed ?? '(setup)'} failed: ${cause.message}`, { cause });
  }
}
