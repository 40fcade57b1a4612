import { sql } from 'kysely';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { ALL_TAGS, bucketOf } from '../../core/analytics/rollups.js';
import type { EmailLink, EmailTag } from '../../core/model.js';
import type { AnalyticsCounts, AnalyticsFilter, AnalyticsRepository } from '../../ports/analytics.js';
import { COUNT_COLUMNS } from './rollup-upserts.js';
import { normalizeId } from './rows.js';
import type { Database } from './schema.js';

/**
 * Analytics reads: every answer comes from the rollups, which the hit batch (hits/) and the sent
 * count (rollup-upserts.ts) keep in the same transactions as the events.
 */

type CountColumn = (typeof COUNT_COLUMNS)[number];

const ZERO: AnalyticsCounts = {
  sent: 0,
  opened: 0,
  opens: 0,
  clicked: 0,
  clicks: 0,
  humanOpened: 0,
  humanOpens: 0,
  humanClicked: 0,
  humanClicks: 0,
  aggregateOnlySent: 0,
};

type RollupTable = 'analytics_rollups' | 'analytics_link_rollups' | 'analytics_client_rollups';

export function analyticsRepository(db: Kysely<Database>): AnalyticsRepository {
  /** The rows of a rollup table that a filter selects: one project, one tag ('' for all), a period, a domain. */
  function rollups<T extends RollupTable>(table: T, projectId: string, filter: AnalyticsFilter) {
    // Each rollup table has these key columns; Kysely cannot see that through the generic table.
    let q = (db as unknown as Kysely<Record<RollupTable, Database['analytics_rollups']>>)
      .selectFrom(table as RollupTable)
      .where('project_id', '=', projectId)
      .where('tag', '=', filter.tag ?? ALL_TAGS);
    if (filter.from !== undefined) q = q.where('bucket', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('bucket', '<', filter.to);
    if (filter.domainId !== undefined) q = q.where('domain_id', '=', filter.domainId);
    return q as unknown as SelectQueryBuilder<Database, T, object>;
  }
  const sums = COUNT_COLUMNS.map((c) => sql<string | number>`coalesce(sum(${sql.ref(c)}), 0)`.as(c));
  const counts = (r: Record<CountColumn, string | number>): AnalyticsCounts => ({
    sent: Number(r.sent),
    opened: Number(r.opened),
    opens: Number(r.opens),
    clicked: Number(r.clicked),
    clicks: Number(r.clicks),
    humanOpened: Number(r.human_opened),
    humanOpens: Number(r.human_opens),
    humanClicked: Number(r.human_clicked),
    humanClicks: Number(r.human_clicks),
    aggregateOnlySent: Number(r.aggregate_only_sent),
  });

  return {
    async summary(projectId, filter) {
      const pid = normalizeId(projectId);
      if (pid === undefined) return { ...ZERO };
      const row = await rollups('analytics_rollups', pid, filter).select(sums).executeTakeFirst();
      return row === undefined ? { ...ZERO } : counts(row as Record<CountColumn, string | number>);
    },

    async hourly(projectId, filter) {
      const pid = normalizeId(projectId);
      if (pid === undefined) return [];
      const rows = await rollups('analytics_rollups', pid, filter).select('bucket').select(sums).groupBy('bucket').orderBy('bucket').execute();
      return rows.map((r) => ({ bucket: Number(r.bucket), ...counts(r as unknown as Record<CountColumn, string | number>) }));
    },

    async clients(projectId, filter) {
      const pid = normalizeId(projectId);
      if (pid === undefined) return [];
      const rows = await rollups('analytics_client_rollups', pid, filter)
        .select(['client', 'device', 'os'])
        .select([sql<string | number>`sum(opens)`.as('opens'), sql<string | number>`sum(human_opens)`.as('human_opens')])
        .groupBy(['client', 'device', 'os'])
        .execute();
      return rows
        .map((r) => ({ client: r.client, device: r.device, os: r.os, opens: Number(r.opens), humanOpens: Number(r.human_opens) }))
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
          .select(['link_index', 'url', 'clicks', 'machine_clicks'])
          .where('email_id', '=', eid)
          .execute();
        return rows
          .map((r) => ({
            linkIndex: Number(r.link_index),
            url: r.url,
            label: labels.find((l) => l.index === Number(r.link_index) && l.url === r.url)?.label ?? '',
            clicks: Number(r.clicks),
            uniqueClicks: 1,
            humanClicks: Number(r.clicks) - Number(r.machine_clicks),
            humanUniqueClicks: Number(r.clicks) > Number(r.machine_clicks) ? 1 : 0,
          }))
          .sort(byClicks);
      }
      const rows = await rollups('analytics_link_rollups', pid, filter)
        .select(['link_index', 'url'])
        .select([
          sql<string>`max(label)`.as('label'),
          sql<string | number>`sum(clicks)`.as('clicks'),
          sql<string | number>`sum(unique_clicks)`.as('unique_clicks'),
          sql<string | number>`sum(human_clicks)`.as('human_clicks'),
          sql<string | number>`sum(human_unique_clicks)`.as('human_unique_clicks'),
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
          humanClicks: Number(r.human_clicks),
          humanUniqueClicks: Number(r.human_unique_clicks),
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
