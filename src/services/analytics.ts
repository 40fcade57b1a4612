import { rate } from '../core/analytics/rollups.js';
import { groupByDay, isTimeZone } from '../core/analytics/time-buckets.js';
import type { AnalyticsCounts, AnalyticsFilter, LinkStats } from '../ports/analytics.js';
import type { Store } from '../ports/store.js';
import { ServiceError } from '../core/errors.js';

/** Filters as the edge receives them (strings), before validation. */
export interface AnalyticsQuery {
  from?: string;
  to?: string;
  domainId?: string;
  tag?: string;
}

export interface Rates {
  openRate: number;
  clickRate: number;
  clickToOpenRate: number;
  humanOpenRate: number;
  humanClickRate: number;
  humanClickToOpenRate: number;
}

export type CountsWithRates = AnalyticsCounts & Rates;

/**
 * Rates of unique counts are over the emails tracked per recipient: aggregate-only emails are in
 * `sent` but can be in no unique count.
 */
export function withRates(c: AnalyticsCounts): CountsWithRates {
  const tracked = c.sent - c.aggregateOnlySent;
  return {
    ...c,
    openRate: rate(c.opened, tracked),
    clickRate: rate(c.clicked, tracked),
    clickToOpenRate: rate(c.clicked, c.opened),
    humanOpenRate: rate(c.humanOpened, tracked),
    humanClickRate: rate(c.humanClicked, tracked),
    humanClickToOpenRate: rate(c.humanClicked, c.humanOpened),
  };
}

/** What the counts cannot say: every unique count and rate, when every email sent was aggregate-only. */
export const UNIQUE_FIGURES = [
  'opened',
  'clicked',
  'human_opened',
  'human_clicked',
  'open_rate',
  'click_rate',
  'click_to_open_rate',
  'human_open_rate',
  'human_click_rate',
  'human_click_to_open_rate',
] as const;

export function unavailableFigures(c: AnalyticsCounts): string[] {
  return c.sent > 0 && c.aggregateOnlySent === c.sent ? [...UNIQUE_FIGURES] : [];
}

function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(value) || Number.isNaN(ms)) {
    throw new ServiceError('validation_failed', `${field} must be an ISO 8601 date or date-time, e.g. 2026-11-01T00:00:00Z`, { field });
  }
  return ms;
}

/** Validates and converts the shared analytics filters. */
export function analyticsFilter(q: AnalyticsQuery): AnalyticsFilter {
  const from = parseTime(q.from, 'from');
  const to = parseTime(q.to, 'to');
  if (from !== undefined && to !== undefined && from > to) {
    throw new ServiceError('validation_failed', '`from` must not be after `to`', { field: 'from' });
  }
  if (q.tag !== undefined && !/^[^:]+:.*$/s.test(q.tag)) {
    throw new ServiceError('validation_failed', 'tag must be given as name:value', { field: 'tag' });
  }
  const filter: AnalyticsFilter = {};
  if (from !== undefined) filter.from = from;
  if (to !== undefined) filter.to = to;
  if (q.domainId !== undefined) filter.domainId = q.domainId.toLowerCase();
  if (q.tag !== undefined) filter.tag = q.tag;
  return filter;
}

export interface NamedOpens {
  name: string;
  opens: number;
  humanOpens: number;
}

export interface ClientBreakdown {
  opens: number;
  humanOpens: number;
  clients: NamedOpens[];
  devices: NamedOpens[];
  os: NamedOpens[];
}

export interface TimeseriesBucket extends CountsWithRates {
  start: number;
}

/** Analytics use cases: every answer comes from the store's rollups. */
export class AnalyticsService {
  constructor(private readonly store: Pick<Store, 'analytics' | 'emails'>) {}

  async summary(projectId: string, q: AnalyticsQuery): Promise<CountsWithRates> {
    return withRates(await this.store.analytics.summary(projectId, analyticsFilter(q)));
  }

  async timeseries(projectId: string, q: AnalyticsQuery, interval: 'hour' | 'day', tz = 'UTC'): Promise<TimeseriesBucket[]> {
    if (!isTimeZone(tz)) throw new ServiceError('validation_failed', `tz must be an IANA time zone such as Europe/Paris, not ${JSON.stringify(tz)}`, { field: 'tz' });
    const hourly = await this.store.analytics.hourly(projectId, analyticsFilter(q));
    const rows = interval === 'day' ? groupByDay(hourly, tz) : hourly;
    return rows.map(({ bucket, ...c }) => ({ start: bucket, ...withRates(c) }));
  }

  /** Opens broken down by email client, device type and OS (each summed over the others). */
  async clients(projectId: string, q: AnalyticsQuery): Promise<ClientBreakdown> {
    const rows = await this.store.analytics.clients(projectId, analyticsFilter(q));
    const by = (field: 'client' | 'device' | 'os'): NamedOpens[] => {
      const m = new Map<string, NamedOpens>();
      for (const r of rows) {
        const named = m.get(r[field]);
        if (named === undefined) m.set(r[field], { name: r[field], opens: r.opens, humanOpens: r.humanOpens });
        else {
          named.opens += r.opens;
          named.humanOpens += r.humanOpens;
        }
      }
      return [...m.values()].sort((a, b) => b.opens - a.opens || (a.name < b.name ? -1 : 1));
    };
    return {
      opens: rows.reduce((n, r) => n + r.opens, 0),
      humanOpens: rows.reduce((n, r) => n + r.humanOpens, 0),
      clients: by('client'),
      devices: by('device'),
      os: by('os'),
    };
  }

  async links(projectId: string, q: AnalyticsQuery & { emailId?: string }): Promise<LinkStats[]> {
    const filter = analyticsFilter(q);
    if (q.emailId !== undefined) {
      const email = await this.store.emails.get(projectId, q.emailId);
      if (email === undefined) throw new ServiceError('not_found', `no email ${q.emailId}`, { field: 'email_id' });
      return this.store.analytics.links(projectId, { ...filter, emailId: email.id });
    }
    return this.store.analytics.links(projectId, filter);
  }
}
