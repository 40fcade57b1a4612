/**
 * The analytics part of the store port. Every answer comes from the rollups, never
 * from a scan of the events. Counts are attributed to the email's send cohort (the UTC hour the
 * email was created): see src/core/analytics/rollups.ts.
 */
export interface AnalyticsFilter {
  /** Inclusive: cohorts (UTC hours) starting at or after this epoch-ms time. */
  from?: number;
  /** Exclusive: cohorts starting before this epoch-ms time. */
  to?: number;
  domainId?: string;
  /** `name:value`. */
  tag?: string;
}

export interface AnalyticsCounts {
  sent: number;
  opened: number;
  opens: number;
  clicked: number;
  clicks: number;
  /** Emails opened by a person: a human open, or a human click (which means it was read). */
  humanOpened: number;
  humanOpens: number;
  humanClicked: number;
  humanClicks: number;
  /**
   * Of `sent`, the emails sent in the aggregate-only mode: their opens and clicks are in the
   * totals, but no unique count (opened, clicked and their human parts) can include them.
   */
  aggregateOnlySent: number;
}

export interface HourlyCounts extends AnalyticsCounts {
  /** Start of the UTC hour, epoch ms. */
  bucket: number;
}

export interface LinkStats {
  linkIndex: number;
  url: string;
  label: string;
  clicks: number;
  uniqueClicks: number;
  humanClicks: number;
  humanUniqueClicks: number;
}

export interface ClientStats {
  client: string;
  device: string;
  os: string;
  opens: number;
  humanOpens: number;
}

export interface AnalyticsRepository {
  /** Opens per (client, device, os) of the opening user agent, most opens first. */
  clients(projectId: string, filter: AnalyticsFilter): Promise<ClientStats[]>;
  summary(projectId: string, filter: AnalyticsFilter): Promise<AnalyticsCounts>;
  /** Non-empty hours in the range, oldest first. */
  hourly(projectId: string, filter: AnalyticsFilter): Promise<HourlyCounts[]>;
  /** Per link (index, url), most clicked first. With `emailId`, that email's links only. */
  links(projectId: string, filter: AnalyticsFilter & { emailId?: string }): Promise<LinkStats[]>;
}
