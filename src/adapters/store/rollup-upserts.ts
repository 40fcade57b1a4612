import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';
import { sentRollupDeltas } from '../../core/analytics/rollups.js';
import type { ClientDelta, CountDelta, EmailLinkDelta, LinkDelta } from '../../core/analytics/rollups.js';
import type { EmailTag } from '../../core/model.js';
import type { Database } from './schema.js';

/**
 * The additive upserts of the analytics tables, each spelled once: a delta adds to the row of its
 * key, or creates it. The hit batch of each backend and the sent count use these.
 */
export interface Upsert<T> {
  table: string;
  /** Column name, PostgreSQL array element type (for unnest), and the value of a delta. */
  columns: ReadonlyArray<readonly [name: string, pgType: string, value: (row: T) => unknown]>;
  /** `on conflict (key) do update set …`: what a delta adds to an existing row. */
  onConflict: string;
}

const key = [
  ['project_id', 'uuid', (d: { projectId: string }) => d.projectId],
  ['tag', 'text', (d: { tag: string }) => d.tag],
  ['bucket', 'bigint', (d: { bucket: number }) => d.bucket],
  ['domain_id', 'text', (d: { domainId: string }) => d.domainId],
] as const;

function adds(table: string, columns: readonly string[]): string {
  return columns.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');
}

/** The counters of `analytics_rollups`, as its upsert adds them and the analytics read them. */
export const COUNT_COLUMNS = [
  'sent',
  'opened',
  'opens',
  'clicked',
  'clicks',
  'human_opened',
  'human_opens',
  'human_clicked',
  'human_clicks',
  'aggregate_only_sent',
] as const;

export const COUNTS: Upsert<CountDelta> = {
  table: 'analytics_rollups',
  columns: [
    ...key,
    ['sent', 'bigint', (d) => d.sent],
    ['opened', 'bigint', (d) => d.opened],
    ['opens', 'bigint', (d) => d.opens],
    ['clicked', 'bigint', (d) => d.clicked],
    ['clicks', 'bigint', (d) => d.clicks],
    ['human_opened', 'bigint', (d) => d.humanOpened],
    ['human_opens', 'bigint', (d) => d.humanOpens],
    ['human_clicked', 'bigint', (d) => d.humanClicked],
    ['human_clicks', 'bigint', (d) => d.humanClicks],
    ['aggregate_only_sent', 'bigint', (d) => d.aggregateOnlySent],
  ],
  onConflict: `on conflict (project_id, tag, bucket, domain_id) do update set ${adds('analytics_rollups', COUNT_COLUMNS)}`,
};

export const LINKS: Upsert<LinkDelta> = {
  table: 'analytics_link_rollups',
  columns: [
    ...key,
    ['link_index', 'integer', (d) => d.linkIndex],
    ['url', 'text', (d) => d.url],
    ['label', 'text', (d) => d.label],
    ['clicks', 'bigint', (d) => d.clicks],
    ['unique_clicks', 'bigint', (d) => d.uniqueClicks],
    ['human_clicks', 'bigint', (d) => d.humanClicks],
    ['human_unique_clicks', 'bigint', (d) => d.humanUniqueClicks],
  ],
  onConflict: `on conflict (project_id, tag, bucket, domain_id, link_index, url) do update set ${adds('analytics_link_rollups', [
    'clicks',
    'unique_clicks',
    'human_clicks',
    'human_unique_clicks',
  ])}`,
};

export const CLIENTS: Upsert<ClientDelta> = {
  table: 'analytics_client_rollups',
  columns: [
    ...key,
    ['client', 'text', (d) => d.client],
    ['device', 'text', (d) => d.device],
    ['os', 'text', (d) => d.os],
    ['opens', 'bigint', (d) => d.opens],
    ['human_opens', 'bigint', (d) => d.humanOpens],
  ],
  onConflict: `on conflict (project_id, tag, bucket, domain_id, client, device, os) do update set ${adds('analytics_client_rollups', ['opens', 'human_opens'])}`,
};

/** `returning clicks, machine_clicks` gives the (email, link) after the batch; minus the delta, before it. */
export const EMAIL_LINK_CLICKS: Upsert<EmailLinkDelta> = {
  table: 'email_link_clicks',
  columns: [
    ['email_id', 'uuid', (d) => d.emailId],
    ['link_index', 'integer', (d) => d.linkIndex],
    ['url', 'text', (d) => d.url],
    ['clicks', 'bigint', (d) => d.clicks],
    ['machine_clicks', 'bigint', (d) => d.machineClicks],
  ],
  onConflict: `on conflict (email_id, link_index, url) do update set ${adds('email_link_clicks', ['clicks', 'machine_clicks'])}`,
};

const names = <T>(u: Upsert<T>) => u.columns.map(([name]) => name).join(', ');

/** SQLite: one row per run, positional parameters in column order ({@link upsertValues}). */
export function singleRowUpsertSql<T>(u: Upsert<T>, returning = ''): string {
  return `insert into ${u.table} (${names(u)}) values (${u.columns.map(() => '?').join(', ')}) ${u.onConflict} ${returning}`;
}

export function upsertValues<T>(u: Upsert<T>, row: T): unknown[] {
  return u.columns.map(([, , value]) => value(row));
}

/** PostgreSQL: every row in one statement, one array parameter per column. */
export function unnestUpsert<T>(u: Upsert<T>, rows: readonly T[], returning = ''): RawBuilder<unknown> {
  const arrays = u.columns.map(([, pgType, value]) => sql`${rows.map(value)}::${sql.raw(pgType)}[]`);
  return sql`insert into ${sql.raw(u.table)} (${sql.raw(names(u))}) select * from unnest(${sql.join(arrays)}) ${sql.raw(u.onConflict)} ${sql.raw(returning)}`;
}

/**
 * Counts one email as sent (captured at creation, or delivered). Call inside the transaction that
 * makes it so, exactly once per email. Portable SQL: one multi-row upsert.
 */
export async function recordSentRollup(trx: Kysely<Database>, emailId: string): Promise<void> {
  const row = await trx
    .selectFrom('emails')
    .select(['project_id', 'created_at', 'tags', 'domain_id', 'aggregate_only'])
    .where('id', '=', emailId)
    .executeTakeFirst();
  if (row === undefined) return;
  const deltas = sentRollupDeltas({
    projectId: row.project_id,
    createdAt: Number(row.created_at),
    domainId: row.domain_id,
    tags: JSON.parse(row.tags) as EmailTag[],
    aggregateOnly: Boolean(row.aggregate_only),
  });
  await multiRowUpsert(COUNTS, deltas).execute(trx);
}

/** Portable: several rows in one statement, one parameter per value. */
export function multiRowUpsert<T>(u: Upsert<T>, rows: readonly T[]): RawBuilder<unknown> {
  const values = rows.map((d) => sql`(${sql.join(upsertValues(u, d))})`);
  return sql`insert into ${sql.raw(u.table)} (${sql.raw(names(u))}) values ${sql.join(values)} ${sql.raw(u.onConflict)}`;
}
