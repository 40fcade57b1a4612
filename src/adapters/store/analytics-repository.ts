import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import {
  ALL_TAGS,
  bucketOf,
  emailLinkDeltas,
  hitRollupDeltas,
  sentRollupDeltas,
} from '../../core/analytics/rollups.js';
import type { CountDelta, EmailLinkDelta, EmailRollupState, RollupHit } from '../../core/analytics/rollups.js';
import type { EmailLink, EmailTag } from '../../core/model.js';
import type { AnalyticsFilter, AnalyticsRepository, AnalyticsCounts } from '../../ports/analytics.js';
import type { Database } from './schema.js';
import { normalizeId } from './rows.js';

/** The tables of migration 004_analytics, as Kysely sees them (kept here, not in schema.ts). */
export type AnalyticsTables = {
  analytics_rollups: {
    project_id: string;
    tag: string;
    bucket: number;
    domain_id: string;
    sent: number;
    opened: number;
    opens: number;
    clicked: number;
    clicks: number;
  };
  analytics_link_rollups: {
    project_id: string;
    tag: string;
    bucket: number;
    domain_id: string;
    link_index: number;
    url: string;
    label: string;
    clicks: number;
    unique_clicks: number;
  };
  analytics_client_rollups: {
    project_id: string;
    tag: string;
    bucket: number;
    domain_id: string;
    client: string;
    device: string;
    os: string;
    opens: number;
  };
  email_link_clicks: { email_id: string; link_index: number; url: string; clicks: number };
  emails: { domain_id: string | null };
};

type AnalyticsDb = Kysely<Database & AnalyticsTables>;


interface StateRow {
  id: string;
  project_id: string;
  created_at: number;
  domain_id: string | null;
  tags: string;
  links: string;
  open_count: number;
  click_count: number;
}

function toStates(rows: readonly StateRow[], withLinks: ReadonlySet<string>): Map<string, EmailRollupState> {
  const states = new Map<string, EmailRollupState>();
  for (const r of rows) {
    states.set(r.id, {
      emailId: r.id,
      projectId: r.project_id,
      createdAt: Number(r.created_at),
      domainId: r.domain_id,
      tags: JSON.parse(r.tags) as EmailTag[],
      openCount: Number(r.open_count),
      clickCount: Number(r.click_count),
      links: withLinks.has(r.id) ? (JSON.parse(r.links) as EmailLink[]) : [],
    });
  }
  return states;
}

// ---------------------------------------------------------------------------------------------
// Writes

/**
 * SQLite: the rollup part of the group commit, run INSIDE the better-sqlite3 transaction of
 * writeHits, before the emails are updated (it reads their counts as they were before the batch).
 * One select for the batch, then one upsert per distinct (email, link) and per distinct rollup key.
 */
export function sqliteHitRollups(raw: BetterSqlite3.Database): (hits: readonly RollupHit[]) => void {
  let prepared: ReturnType<typeof prepare> | undefined;
  function prepare() {
    return {
      states: raw.prepare<[string], StateRow>(`
        select id, project_id, created_at, domain_id, tags, links, open_count, click_count
        from emails where id in (select value from json_each(?))`),
      emailLink: raw.prepare<[string, number, string, number], { clicks: number }>(`
        insert into email_link_clicks (email_id, link_index, url, clicks) values (?, ?, ?, ?)
        on conflict (email_id, link_index, url) do update set clicks = email_link_clicks.clicks + excluded.clicks
        returning clicks`),
      count: raw.prepare(`
        insert into analytics_rollups (project_id, tag, bucket, domain_id, sent, opened, opens, clicked, clicks)
        values (@projectId, @tag, @bucket, @domainId, @sent, @opened, @opens, @clicked, @clicks)
        on conflict (project_id, tag, bucket, domain_id) do update set
          sent = analytics_rollups.sent + excluded.sent,
          opened = analytics_rollups.opened + excluded.opened,
          opens = analytics_rollups.opens + excluded.opens,
          clicked = analytics_rollups.clicked + excluded.clicked,
          clicks = analytics_rollups.clicks + excluded.clicks`),
      link: raw.prepare(`
        insert into analytics_link_rollups (project_id, tag, bucket, domain_id, link_index, url, label, clicks, unique_clicks)
        values (@projectId, @tag, @bucket, @domainId, @linkIndex, @url, @label, @clicks, @uniqueClicks)
        on conflict (project_id, tag, bucket, domain_id, link_index, url) do update set
          clicks = analytics_link_rollups.clicks + excluded.clicks,
          unique_clicks = analytics_link_rollups.unique_clicks + excluded.unique_clicks`),
      client: raw.prepare(`
        insert into analytics_client_rollups (project_id, tag, bucket, domain_id, client, device, os, opens)
        values (@projectId, @tag, @bucket, @domainId, @client, @device, @os, @opens)
        on conflict (project_id, tag, bucket, domain_id, client, device, os) do update set
          opens = analytics_client_rollups.opens + excluded.opens`),
    };
  }
  return (hits) => {
    prepared ??= prepare();
    const p = prepared;
    const linkDeltas = emailLinkDeltas(hits);
    const ids = [...new Set(hits.map((h) => h.emailId))];
    const states = toStates(p.states.all(JSON.stringify(ids)), new Set(linkDeltas.map((d) => d.emailId)));
    const firsts: EmailLinkDelta[] = [];
    const known = linkDeltas.filter((d) => states.has(d.emailId));
    for (const d of known) {
      const row = p.emailLink.get(d.emailId, d.linkIndex, d.url, d.clicks)!;
      if (Number(row.clicks) === d.clicks) firsts.push(d);
    }
    const { counts, links, clients } = hitRollupDeltas(hits, states, firsts, known);
    for (const c of counts) p.count.run(c);
    for (const l of links) p.link.run(l);
    for (const c of clients) p.client.run(c);
  };
}

/**
 * PostgreSQL: the rollup part of the group commit, run in writeHits' transaction AFTER the emails
 * are locked and BEFORE they are updated. Five statements per batch, whatever its size.
 */
export async function postgresHitRollups(trx: Kysely<Database>, hits: readonly RollupHit[]): Promise<void> {
  const linkDeltas = emailLinkDeltas(hits);
  const ids = [...new Set(hits.map((h) => h.emailId))];
  const { rows } = await sql<StateRow>`
    select id, project_id, created_at, domain_id, tags, links, open_count, click_count
    from emails where id = any(${ids}::uuid[])`.execute(trx);
  const states = toStates(rows, new Set(linkDeltas.map((d) => d.emailId)));
  const known = linkDeltas.filter((d) => states.has(d.emailId));
  const firsts: EmailLinkDelta[] = [];
  if (known.length > 0) {
    const { rows: totals } = await sql<{ email_id: string; link_index: number; url: string; clicks: number }>`
      insert into email_link_clicks (email_id, link_index, url, clicks)
      select * from unnest(
        ${known.map((d) => d.emailId)}::uuid[],
        ${known.map((d) => d.linkIndex)}::integer[],
        ${known.map((d) => d.url)}::text[],
        ${known.map((d) => d.clicks)}::bigint[])
      on conflict (email_id, link_index, url) do update set clicks = email_link_clicks.clicks + excluded.clicks
      returning email_id, link_index, url, clicks`.execute(trx);
    const after = new Map(totals.map((r) => [`${r.email_id}\u0000${r.link_index}\u0000${r.url}`, Number(r.clicks)]));
    for (const d of known) {
      if (after.get(`${d.emailId}\u0000${d.linkIndex}\u0000${d.url}`) === d.clicks) firsts.push(d);
    }
  }
  const { counts, links, clients } = hitRollupDeltas(hits, states, firsts, known);
  await postgresUpsertCounts(trx, counts);
  if (clients.length > 0) {
    await sql`
      insert into analytics_client_rollups (project_id, tag, bucket, domain_id, client, device, os, opens)
      select * from unnest(
        ${clients.map((c) => c.projectId)}::uuid[],
        ${clients.map((c) => c.tag)}::text[],
        ${clients.map((c) => c.bucket)}::bigint[],
        ${clients.map((c) => c.domainId)}::text[],
        ${clients.map((c) => c.client)}::text[],
        ${clients.map((c) => c.device)}::text[],
        ${clients.map((c) => c.os)}::text[],
        ${clients.map((c) => c.opens)}::bigint[])
      on conflict (project_id, tag, bucket, domain_id, client, device, os) do update set
        opens = analytics_client_rollups.opens + excluded.opens`.execute(trx);
  }
  if (links.length > 0) {
    await sql`
      insert into analytics_link_rollups (project_id, tag, bucket, domain_id, link_index, url, label, clicks, unique_clicks)
      select * from unnest(
        ${links.map((l) => l.projectId)}::uuid[],
        ${links.map((l) => l.tag)}::text[],
        ${links.map((l) => l.bucket)}::bigint[],
        ${links.map((l) => l.domainId)}::text[],
        ${links.map((l) => l.linkIndex)}::integer[],
        ${links.map((l) => l.url)}::text[],
        ${links.map((l) => l.label)}::text[],
        ${links.map((l) => l.clicks)}::bigint[],
        ${links.map((l) => l.uniqueClicks)}::bigint[])
      on conflict (project_id, tag, bucket, domain_id, link_index, url) do update set
        clicks = analytics_link_rollups.clicks + excluded.clicks,
        unique_clicks = analytics_link_rollups.unique_clicks + excluded.unique_clicks`.execute(trx);
  }
}

async function postgresUpsertCounts(trx: Kysely<Database>, counts: readonly CountDelta[]): Promise<void> {
  if (counts.length === 0) return;
  await sql`
    insert into analytics_rollups (project_id, tag, bucket, domain_id, sent, opened, opens, clicked, clicks)
    select * from unnest(
      ${counts.map((c) => c.projectId)}::uuid[],
      ${counts.map((c) => c.tag)}::text[],
      ${counts.map((c) => c.bucket)}::bigint[],
      ${counts.map((c) => c.domainId)}::text[],
      ${counts.map((c) => c.sent)}::bigint[],
      ${counts.map((c) => c.opened)}::bigint[],
      ${counts.map((c) => c.opens)}::bigint[],
      ${counts.map((c) => c.clicked)}::bigint[],
      ${counts.map((c) => c.clicks)}::bigint[])
    on conflict (project_id, tag, bucket, domain_id) do update set
      sent = analytics_rollups.sent + excluded.sent,
      opened = analytics_rollups.opened + excluded.opened,
      opens = analytics_rollups.opens + excluded.opens,
      clicked = analytics_rollups.clicked + excluded.clicked,
      clicks = analytics_rollups.clicks + excluded.clicks`.execute(trx);
}

/**
 * Counts one email as sent (captured at creation, or delivered). Call inside the transaction that
 * makes it so, exactly once per email. Portable SQL: one multi-row upsert.
 */
export async function recordSentRollup(trx: Kysely<Database>, emailId: string): Promise<void> {
  const db = trx.withTables<AnalyticsTables>();
  const row = await db
    .selectFrom('emails')
    .select(['project_id', 'created_at', 'tags', 'domain_id'])
    .where('id', '=', emailId)
    .executeTakeFirst();
  if (row === undefined) return;
  const deltas = sentRollupDeltas({
    projectId: row.project_id,
    createdAt: Number(row.created_at),
    domainId: row.domain_id,
    tags: JSON.parse(row.tags) as EmailTag[],
  });
  await db
    .insertInto('analytics_rollups')
    .values(
      deltas.map((d) => ({
        project_id: d.projectId,
        tag: d.tag,
        bucket: d.bucket,
        domain_id: d.domainId,
        sent: d.sent,
        opened: 0,
        opens: 0,
        clicked: 0,
        clicks: 0,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['project_id', 'tag', 'bucket', 'domain_id']).doUpdateSet({ sent: sql`analytics_rollups.sent + excluded.sent` }),
    )
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Reads: rollups only

const ZERO: AnalyticsCounts = { sent: 0, opened: 0, opens: 0, clicked: 0, clicks: 0 };

export function analyticsRepository(base: Kysely<Database>): AnalyticsRepository {
  const db: AnalyticsDb = base.withTables<AnalyticsTables>();

  function rollups(projectId: string, filter: AnalyticsFilter) {
    let q = db
      .selectFrom('analytics_rollups')
      .where('project_id', '=', projectId)
      .where('tag', '=', filter.tag ?? ALL_TAGS);
    if (filter.from !== undefined) q = q.where('bucket', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('bucket', '<', filter.to);
    if (filter.domainId !== undefined) q = q.where('domain_id', '=', filter.domainId);
    return q;
  }
  const sums = [
    sql<string | number>`coalesce(sum(sent), 0)`.as('sent'),
    sql<string | number>`coalesce(sum(opened), 0)`.as('opened'),
    sql<string | number>`coalesce(sum(opens), 0)`.as('opens'),
    sql<string | number>`coalesce(sum(clicked), 0)`.as('clicked'),
    sql<string | number>`coalesce(sum(clicks), 0)`.as('clicks'),
  ] as const;
  const counts = (r: Record<'sent' | 'opened' | 'opens' | 'clicked' | 'clicks', string | number>): AnalyticsCounts => ({
    sent: Number(r.sent),
    opened: Number(r.opened),
    opens: Number(r.opens),
    clicked: Number(r.clicked),
    clicks: Number(r.clicks),
  });

  return {
    async summary(projectId, filter) {
      const pid = normalizeId(projectId);
      if (pid === undefined) return { ...ZERO };
      const row = await rollups(pid, filter).select(sums).executeTakeFirst();
      return row === undefined ? { ...ZERO } : counts(row);
    },

    async hourly(projectId, filter) {
      const pid = normalizeId(projectId);
      if (pid === undefined) return [];
      const rows = await rollups(pid, filter).select('bucket').select(sums).groupBy('bucket').orderBy('bucket').execute();
      return rows.map((r) => ({ bucket: Number(r.bucket), ...counts(r) }));
    },

    async clients(projectId, filter) {
      const pid = normalizeId(projectId);
      if (pid === undefined) return [];
      let q = db
        .selectFrom('analytics_client_rollups')
        .where('project_id', '=', pid)
        .where('tag', '=', filter.tag ?? ALL_TAGS);
      if (filter.from !== undefined) q = q.where('bucket', '>=', filter.from);
      if (filter.to !== undefined) q = q.where('bucket', '<', filter.to);
      if (filter.domainId !== undefined) q = q.where('domain_id', '=', filter.domainId);
      const rows = await q
        .select(['client', 'device', 'os'])
        .select(sql<string | number>`sum(opens)`.as('opens'))
        .groupBy(['client', 'device', 'os'])
        .execute();
      return rows
        .map((r) => ({ client: r.client, device: r.device, os: r.os, opens: Number(r.opens) }))
        .sort((a, b) => b.opens - a.opens || cmp(a.client, b.client) || cmp(a.device, b.device) || cmp(a.os, b.os));
    },

    async links(projectId, filter) {
      const pid = normalizeId(projectId);
      if (pid === undefined) return [];
      if (filter.emailId !== undefined) {
        const eid = normalizeId(filter.emailId);
        if (eid === undefined) return [];
        const email = await db
          .selectFrom('emails')
          .select(['links', 'created_at', 'domain_id', 'tags'])
          .where('id', '=', eid)
          .where('project_id', '=', pid)
          .executeTakeFirst();
        if (email === undefined) return [];
        const bucket = bucketOf(Number(email.created_at));
        if (filter.from !== undefined && bucket < filter.from) return [];
        if (filter.to !== undefined && bucket >= filter.to) return [];
        if (filter.domainId !== undefined && email.domain_id !== filter.domainId) return [];
        if (filter.tag !== undefined && !(JSON.parse(email.tags) as EmailTag[]).some((t) => `${t.name}:${t.value}` === filter.tag)) {
          return [];
        }
        const labels = JSON.parse(email.links) as EmailLink[];
        const rows = await db
          .selectFrom('email_link_clicks')
          .select(['link_index', 'url', 'clicks'])
          .where('email_id', '=', eid)
          .execute();
        return rows
          .map((r) => ({
            linkIndex: Number(r.link_index),
            url: r.url,
            label: labels.find((l) => l.index === Number(r.link_index) && l.url === r.url)?.label ?? '',
            clicks: Number(r.clicks),
            uniqueClicks: 1,
          }))
          .sort(byClicks);
      }
      let q = db
        .selectFrom('analytics_link_rollups')
        .where('project_id', '=', pid)
        .where('tag', '=', filter.tag ?? ALL_TAGS);
      if (filter.from !== undefined) q = q.where('bucket', '>=', filter.from);
      if (filter.to !== undefined) q = q.where('bucket', '<', filter.to);
      if (filter.domainId !== undefined) q = q.where('domain_id', '=', filter.domainId);
      const rows = await q
        .select(['link_index', 'url'])
        .select([
          sql<string>`max(label)`.as('label'),
          sql<string | number>`sum(clicks)`.as('clicks'),
          sql<string | number>`sum(unique_clicks)`.as('unique_clicks'),
        ])
        .groupBy(['link_index', 'url'])
        .execute();
      return rows
        .map((r) => ({
          linkIndex: Number(r.link_index),
          url: r.url,
          label: r.label,
          clicks: Number(r.clicks),
          uniqueClicks: Number(r.unique_clicks),
        }))
        .sort(byClicks);
    },
  };
}

function byClicks(a: { clicks: number; linkIndex: number; url: string }, b: { clicks: number; linkIndex: number; url: string }): number {
  return b.clicks - a.clicks || a.linkIndex - b.linkIndex || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0);
}


function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
