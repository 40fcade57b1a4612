import type { HitClassification, HitProxy } from '../../core/classification/labels.js';
import { decodeSignals } from '../../core/classification/signals.js';
import type { Selectable } from 'kysely';
import type {
  ApiKey,
  ApiKeyRole,
  ClickTrackingMode,
  Domain,
  DomainRecord,
  DomainStatus,
  DomainTlsMode,
  Email,
  EmailEvent,
  EmailSummary,
  EmailEventType,
  EmailStatus,
  Project,
  TrackingHost,
  TrackingHostStatus,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookDisabledReason,
  WebhookEndpoint,
  WebhookEventType,
} from '../../core/model.js';
import type { ExportJob, ExportStatus } from '../../ports/exports.js';
import type { Page } from '../../ports/store.js';
import type {
  ApiKeysTable,
  DomainsTable,
  EmailBodiesTable,
  EmailEventsTable,
  EmailsTable,
  ExportsTable,
  ProjectsTable,
  TrackingHostsTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
} from './schema.js';
import { isUuid } from '../../core/uuid.js';

/** Shared by the repositories: id checks, paging, and every row mapper (table row to model). */

// ---------------------------------------------------------------------------------------------
// Ids and pages


/**
 * Ids are UUIDs: a `uuid` column on PostgreSQL, text on SQLite. Lookups by a malformed id find
 * nothing on both backends (instead of a cast error on PostgreSQL), and ids are compared in
 * canonical lowercase form, which is also the order PostgreSQL sorts uuids in.
 */
export function normalizeId(id: string | undefined): string | undefined {
  return isUuid(id) ? id.toLowerCase() : undefined;
}

export function requireId(id: string, what: string): string {
  const normalized = normalizeId(id);
  if (normalized === undefined) throw new TypeError(`Invalid ${what}: ${JSON.stringify(id)} is not a UUID`);
  return normalized;
}

/** The limit of a page; 0 means an empty page. */
export function pageLimit(page: Page): number {
  const { limit } = page;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`Invalid page limit ${String(limit)}: expected a non-negative integer`);
  }
  return limit;
}

/** The `after` cursor: undefined when absent, null when malformed (an empty page). */
export function pageCursor(page: Page): string | undefined | null {
  if (page.after === undefined) return undefined;
  return normalizeId(page.after) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Row mapping

export function toProject(row: Selectable<ProjectsTable>): Project {
  return { id: row.id, name: row.name, isDefault: Boolean(row.is_default), createdAt: row.created_at };
}

export function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    role: row.role as ApiKeyRole,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    domainId: row.domain_id,
  };
}

/** An email row without its body (email_bodies holds that). */
export function toEmailSummary(row: Selectable<EmailsTable>): EmailSummary {
  return {
    id: row.id,
    projectId: row.project_id,
    from: row.from_address,
    to: JSON.parse(row.to_addresses) as string[],
    cc: JSON.parse(row.cc_addresses) as string[],
    bcc: JSON.parse(row.bcc_addresses) as string[],
    replyTo: JSON.parse(row.reply_to) as string[],
    subject: row.subject,
    headers: JSON.parse(row.headers) as Record<string, string>,
    tags: JSON.parse(row.tags) as Email['tags'],
    trackOpens: Boolean(row.track_opens),
    trackClicks: row.track_clicks === 'off' ? false : (row.track_clicks as Exclude<ClickTrackingMode, false>),
    links: JSON.parse(row.links) as Email['links'],
    status: row.status as EmailStatus,
    statusDetail: row.status_detail,
    messageId: row.message_id,
    deliveryAttempts: row.delivery_attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    openedAt: row.opened_at,
    clickedAt: row.clicked_at,
    openCount: row.open_count,
    clickCount: row.click_count,
    humanOpenedAt: row.human_opened_at ?? null,
    humanClickedAt: row.human_clicked_at ?? null,
    machineOpenCount: Number(row.machine_open_count ?? 0),
    machineClickCount: Number(row.machine_click_count ?? 0),
    lastEvent: row.last_event as EmailEventType | null,
    lastEventAt: row.last_event_at,
    domainId: row.domain_id ?? null,
    trackingHostId: row.tracking_host_id ?? 0,
    aggregateOnly: Boolean(row.aggregate_only),
  };
}

/** An email row and its body row (email_bodies); a missing body reads as none. */
export function toEmail(row: Selectable<EmailsTable>, body: Pick<Selectable<EmailBodiesTable>, 'html_body' | 'text_body'> | undefined): Email {
  return { ...toEmailSummary(row), html: body?.html_body ?? null, text: body?.text_body ?? null };
}

export function toEvent(row: Selectable<EmailEventsTable>): EmailEvent {
  return {
    id: row.id,
    projectId: row.project_id,
    emailId: row.email_id,
    type: row.type as EmailEventType,
    createdAt: row.created_at,
    ip: row.ip,
    userAgent: row.user_agent,
    referer: row.referer,
    linkIndex: row.link_index,
    url: row.url,
    detail: row.detail,
    ...(isHit(row.type)
      ? { classification: (row.classification ?? 'human') as HitClassification, proxy: (row.proxy ?? null) as HitProxy | null, signals: decodeSignals(row.signals) }
      : { classification: null, proxy: null, signals: null }),
  };
}

function isHit(type: string): boolean {
  return type === 'opened' || type === 'clicked';
}

export function toEndpoint(row: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
  return {
    id: row.id,
    projectId: row.project_id,
    url: row.url,
    description: row.description,
    events: JSON.parse(row.events) as WebhookEventType[],
    secret: row.secret,
    humanOnly: Boolean(row.human_only),
    previousSecret: row.previous_secret,
    previousSecretUntil: row.previous_secret_until,
    enabled: Boolean(row.enabled),
    disabledReason: row.disabled_reason as WebhookDisabledReason | null,
    failingSince: row.failing_since,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toDelivery(row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return {
    endpointId: row.endpoint_id,
    messageId: row.message_id,
    projectId: row.project_id,
    eventType: row.event_type as WebhookEventType,
    eventId: row.event_id,
    payload: row.payload,
    status: row.status as WebhookDeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    lastDurationMs: row.last_duration_ms,
    lastResponse: row.last_response,
    createdAt: row.created_at,
  };
}

export function toHost(row: Selectable<TrackingHostsTable>): TrackingHost {
  return {
    id: row.id,
    domainId: row.domain_id,
    projectId: row.project_id,
    hostname: row.hostname,
    status: row.status as TrackingHostStatus,
    createdAt: row.created_at,
    verifiedAt: row.verified_at,
    deletedAt: row.deleted_at,
  };
}

export function toDomain(row: Selectable<DomainsTable>, hosts: TrackingHost[]): Domain {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    returnPath: row.return_path,
    openTracking: Boolean(row.open_tracking),
    clickTracking: Boolean(row.click_tracking),
    trapLink: Boolean(row.trap_link),
    aggregateOnly: Boolean(row.aggregate_only),
    tls: row.tls as DomainTlsMode,
    dkimSelector: row.dkim_selector,
    dkimPublicKey: row.dkim_public_key,
    dkimPrivateKeySealed: row.dkim_private_key,
    trackingSubdomain: row.tracking_subdomain,
    trackingSubdomainSetAt: row.tracking_subdomain_set_at,
    activeHostId: row.active_host_id,
    status: row.status as DomainStatus,
    records: JSON.parse(row.records) as DomainRecord[],
    verificationStartedAt: row.verification_started_at,
    lastCheckedAt: row.last_checked_at,
    nextCheckAt: row.next_check_at,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    hosts,
  };
}

export function toJob(r: Selectable<ExportsTable>): ExportJob {
  return {
    id: r.id,
    projectId: r.project_id,
    resource: r.resource,
    filters: JSON.parse(r.filters) as Record<string, string>,
    status: r.status as ExportStatus,
    rows: r.rows === null ? null : Number(r.rows),
    rowsDone: Number(r.rows_done),
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    error: r.error,
  };
}
