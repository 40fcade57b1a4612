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
}

export type CountsWithRates = AnalyticsCounts & Rates;

export function withRates(c: AnalyticsCounts): CountsWithRates {
  return { ...c, openRate: rate(c.opened, c.sent), clickRate: rate(c.clicked, c.sent), clickToOpenRate: rate(c.clicked, c.opened) };
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
}

export interface ClientBreakdown {
  opens: number;
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
    const by = (field: 'client' | 'device' | 'os') => {
      const m = new Map<string, number>();
      for (const r of rows) m.set(r[field], (m.get(r[field]) ?? 0) + r.opens);
      return [...m].map(([name, opens]) => ({ name, opens })).sort((a, b) => b.opens - a.opens || (a.name < b.name ? -1 : 1));
    };
    return { opens: rows.reduce((n, r) => n + r.opens, 0), clients: by('client'), devices: by('device'), os: by('os') };
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
