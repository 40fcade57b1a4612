import type { ColumnType, Generated } from 'kysely';

/**
 * Row types of the store's tables, as Kysely sees them. One schema for both backends; the few
 * column types that differ are chosen by {@link columnTypes}.
 *
 * Conventions: times are epoch milliseconds in integer columns (`bigint` on PostgreSQL, parsed back
 * to numbers by the pool); ids are UUIDv7 strings (`uuid` on PostgreSQL, `text` on SQLite);
 * booleans are `boolean` on PostgreSQL and 0/1 on SQLite; lists and maps are JSON text.
 */
export type DbBool = boolean | number;

export interface ProjectsTable {
  id: string;
  name: string;
  is_default: DbBool;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  project_id: string;
  name: string;
  role: string;
  prefix: string;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  /** A sending key limited to one sending domain. */
  domain_id: string | null;
}

export interface EmailsTable {
  id: string;
  project_id: string;
  from_address: string;
  /** JSON string[] */
  to_addresses: string;
  /** JSON string[] */
  cc_addresses: string;
  /** JSON string[] */
  bcc_addresses: string;
  /** JSON string[] */
  reply_to: string;
  subject: string;
  /** JSON Record<string, string> */
  headers: string;
  /** JSON EmailTag[] */
  tags: string;
  track_opens: DbBool;
  /** 'off' | 'html' | 'text' | 'html_and_text' */
  track_clicks: string;
  /** JSON EmailLink[] */
  links: string;
  status: string;
  status_detail: string | null;
  message_id: string | null;
  delivery_attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: number | null;
  created_at: number;
  sent_at: number | null;
  opened_at: number | null;
  clicked_at: number | null;
  open_count: ColumnType<number, number | undefined, number>;
  click_count: ColumnType<number, number | undefined, number>;
  last_event: string | null;
  last_event_at: number | null;
  domain_id: string | null;
  tracking_host_id: ColumnType<number, number | undefined, number>;
  /** Of open_count and click_count, the hits labelled a machine's. */
  machine_open_count: ColumnType<number, number | undefined, number>;
  machine_click_count: ColumnType<number, number | undefined, number>;
  /** First open or click by a person (a click means the message was read). */
  human_opened_at: number | null;
  human_clicked_at: number | null;
  /** No hit labelled a person's is later than this (see migration 012_last_human_hit). */
  last_human_hit_at: number | null;
  /** Its tokens name its cohort, not the email: its hits are counted in aggregate only. */
  aggregate_only: ColumnType<DbBool, DbBool | undefined, DbBool>;
}

/** The message as sent, kept apart from `emails` (see migration 007_email_bodies). */
export interface EmailBodiesTable {
  email_id: string;
  html_body: string | null;
  text_body: string | null;
}

export interface EmailEventsTable {
  id: string;
  project_id: string;
  email_id: string;
  type: string;
  created_at: number;
  ip: string | null;
  user_agent: string | null;
  referer: string | null;
  link_index: number | null;
  url: string | null;
  detail: string | null;
  /** Opens and clicks: `human` or a machine kind (core/classification). Other events: not used. */
  classification: ColumnType<string | null, string | null | undefined, string | null>;
  proxy: string | null | undefined;
  /** JSON: the classifier version, the rules that decided and the facts they read. */
  signals: string | null | undefined;
}

export interface IdempotencyKeysTable {
  project_id: string;
  key: string;
  request_hash: string;
  email_id: string;
  created_at: number;
}

export interface WebhookEndpointsTable {
  id: string;
  project_id: string;
  url: string;
  description: string | null;
  events: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: number | null;
  enabled: DbBool;
  disabled_reason: string | null;
  failing_since: number | null;
  created_at: number;
  updated_at: number;
  /** Opens and clicks are delivered only when labelled a person's. */
  human_only: ColumnType<DbBool, DbBool | undefined, DbBool>;
}

export interface WebhookDeliveriesTable {
  endpoint_id: string;
  message_id: string;
  project_id: string;
  event_type: string;
  event_id: string | null;
  payload: string | null;
  status: string;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  last_response: string | null;
  created_at: number;
}

export interface DomainsTable {
  id: string;
  project_id: string;
  name: string;
  return_path: string;
  open_tracking: DbBool;
  click_tracking: DbBool;
  /** Added by migration 010 (default false). */
  trap_link: ColumnType<DbBool, DbBool | undefined, DbBool>;
  /** Default of its emails: count their opens and clicks in aggregate only. */
  aggregate_only: ColumnType<DbBool, DbBool | undefined, DbBool>;
  tls: string;
  dkim_selector: string;
  dkim_public_key: string;
  /** Sealed (core/secrets/sealed-box.ts), never plain. */
  dkim_private_key: string;
  tracking_subdomain: string | null;
  tracking_subdomain_set_at: number | null;
  active_host_id: number | null;
  status: string;
  /** JSON DomainRecord[] */
  records: string;
  verification_started_at: number | null;
  last_checked_at: number | null;
  next_check_at: number | null;
  version: ColumnType<number, number | undefined, number>;
  created_at: number;
  updated_at: number;
}

export interface TrackingHostsTable {
  id: Generated<number>;
  domain_id: string;
  project_id: string;
  hostname: string;
  status: string;
  created_at: number;
  verified_at: number | null;
  deleted_at: number | null;
}

/** Hourly counts per project, tag ('' for all) and sending domain ('' for none). */
export interface AnalyticsRollupsTable {
  project_id: string;
  tag: string;
  bucket: number;
  domain_id: string;
  sent: number;
  opened: number;
  opens: number;
  clicked: number;
  clicks: number;
  /** The part of each count made by people (see core/classification). */
  human_opened: number;
  human_opens: number;
  human_clicked: number;
  human_clicks: number;
  /** Of `sent`, the emails sent in the aggregate-only mode: in no unique count. */
  aggregate_only_sent: number;
}

/** A cohort of emails sent in the aggregate-only mode: what their tokens name instead of an email. */
export interface AggregateCohortsTable {
  id: string;
  project_id: string;
  /** '' for emails without a sending domain. */
  domain_id: string;
  /** JSON of the distinct tags, sorted. */
  tags: string;
  bucket: number;
  created_at: number;
}

export interface AnalyticsLinkRollupsTable {
  project_id: string;
  tag: string;
  bucket: number;
  domain_id: string;
  link_index: number;
  url: string;
  label: string;
  clicks: number;
  unique_clicks: number;
  human_clicks: number;
  human_unique_clicks: number;
}

export interface AnalyticsClientRollupsTable {
  project_id: string;
  tag: string;
  bucket: number;
  domain_id: string;
  client: string;
  device: string;
  os: string;
  opens: number;
  human_opens: number;
}

/** Clicks per email and link: tells a link's first click by this email from the next ones. */
export interface EmailLinkClicksTable {
  email_id: string;
  link_index: number;
  url: string;
  clicks: number;
  machine_clicks: number;
}

export interface ExportsTable {
  id: string;
  project_id: string;
  resource: string;
  /** JSON Record<string, string> */
  filters: string;
  status: string;
  rows: number | null;
  rows_done: number;
  created_by: string;
  created_at: number;
  expires_at: number;
  error: string | null;
}

/** How far a node's hit journal has been ingested: the position after the last hit written. */
export interface JournalPositionsTable {
  journal_id: string;
  segment: number;
  byte_offset: number;
  updated_at: number;
}

export interface Database {
  domains: DomainsTable;
  tracking_hosts: TrackingHostsTable;
  projects: ProjectsTable;
  api_keys: ApiKeysTable;
  emails: EmailsTable;
  email_bodies: EmailBodiesTable;
  email_events: EmailEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  analytics_rollups: AnalyticsRollupsTable;
  aggregate_cohorts: AggregateCohortsTable;
  analytics_link_rollups: AnalyticsLinkRollupsTable;
  analytics_client_rollups: AnalyticsClientRollupsTable;
  email_link_clicks: EmailLinkClicksTable;
  exports: ExportsTable;
  journal_positions: JournalPositionsTable;
}

export type Backend = 'sqlite' | 'postgres';

/** The column types that differ between the backends. Everything else is `text` or `integer`. */
export interface ColumnTypes {
  id: 'uuid' | 'text';
  time: 'bigint' | 'integer';
  bool: 'boolean' | 'integer';
}

export function columnTypes(backend: Backend): ColumnTypes {
  return backend === 'postgres'
    ? { id: 'uuid', time: 'bigint', bool: 'boolean' }
    : { id: 'text', time: 'integer', bool: 'integer' };
}
