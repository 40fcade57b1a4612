import type { Selectable } from 'kysely';
import type {
  ApiKey,
  ApiKeyRole,
  ClickTrackingMode,
  Email,
  EmailEvent,
  EmailSummary,
  EmailEventType,
  EmailStatus,
  Project,
} from '../../core/model.js';
import type { Page } from '../../ports/store.js';
import type { ApiKeysTable, EmailBodiesTable, EmailEventsTable, EmailsTable, ProjectsTable } from './schema.js';
import { isUuid } from '../../core/uuid.js';

/** Shared by the repositories: id checks, paging and row mapping. */

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
    lastEvent: row.last_event as EmailEventType | null,
    lastEventAt: row.last_event_at,
    domainId: row.domain_id ?? null,
    trackingHostId: row.tracking_host_id ?? 0,
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
  };
}
