import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import type { ReadStream } from 'node:fs';
import path from 'node:path';
import { encodeRow } from '../core/csv.js';
import type { CsvCell } from '../core/csv.js';
import { EMAIL_EVENT_TYPES, WEBHOOK_DELIVERY_STATUSES } from '../core/model.js';
import type { Domain, EmailEventType, WebhookDeliveryStatus } from '../core/model.js';
import { DAY_MS, isoTime } from '../core/time.js';
import { newId } from '../lib/ids.js';
import type { Clock } from '../ports/clock.js';
import type { ExportJob } from '../ports/exports.js';
import type { Store } from '../ports/store.js';
import { ServiceError } from '../core/errors.js';
import { isUuid } from '../core/uuid.js';

/** Up to this many rows, the CSV comes back in the response; more runs in the background. */
export const INLINE_ROWS = 1_000;
export const EXPORT_TTL_MS = 7 * DAY_MS;
const PAGE = 500;

/** The repositories the exportable resources are read from. */
type ExportSources = Pick<Store, 'emails' | 'events' | 'domains' | 'webhooks' | 'apiKeys'>;

/** One page of rows and the cursor for the next (the last row's id), newest first. */
type PageFetch = (store: ExportSources, projectId: string, filters: Record<string, string>, after: string | undefined) => Promise<{ rows: CsvCell[][]; last?: string }>;

interface ExportResource {
  header: string[];
  /** The filters it takes: name → validation message, checked by the shared validator. */
  filters: readonly string[];
  fetch: PageFetch;
}

/** `since` inclusive, `until` exclusive, on the row's creation time. */
function inRange(ms: number, f: Record<string, string>): boolean {
  return (f.since === undefined || ms >= Date.parse(f.since)) && (f.until === undefined || ms < Date.parse(f.until));
}


/** `links.example.com (verified, active); go.example.com (pending)`: every live host, oldest first. */
function trackingHostsCell(d: Domain): string {
  return d.hosts.map((h) => `${h.hostname} (${h.status}${h.id === d.activeHostId ? ', active' : ''})`).join('; ');
}

/**
 * The delivery log's cursor: a message goes to several endpoints, so a page ends at a
 * (message id, endpoint id) pair, written `<message id>/<endpoint id>`.
 */
function deliveryCursor(after: string | undefined): { messageId: string; endpointId: string } | undefined {
  if (after === undefined) return undefined;
  const [messageId = '', endpointId = ''] = after.split('/');
  return { messageId, endpointId };
}

/**
 * The resources that can be exported. Another resource plugs in with ONE entry here (header,
 * filters, a keyset-paged fetch).
 */
export const EXPORT_RESOURCES: Record<string, ExportResource> = {
  emails: {
    header: [
      'id',
      'created_at',
      'status',
      'from',
      'to',
      'subject',
      'tags',
      'sent_at',
      'opened_at',
      'clicked_at',
      'open_count',
      'click_count',
      'human_opened_at',
      'human_clicked_at',
      'human_open_count',
      'human_click_count',
    ],
    filters: ['since', 'until'],
    async fetch(store, projectId, f, after) {
      const page = await store.emails.list(projectId, { limit: PAGE, after });
      const emails = page.filter((e) => inRange(e.createdAt, f));
      return {
        last: page.length === PAGE ? page[page.length - 1]!.id : undefined,
        rows: emails.map((e) => [
          e.id,
          isoTime(e.createdAt),
          e.status,
          e.from,
          e.to.join(', '),
          e.subject,
          e.tags.map((t) => `${t.name}:${t.value}`).join(' '),
          isoTime(e.sentAt),
          isoTime(e.openedAt),
          isoTime(e.clickedAt),
          e.openCount,
          e.clickCount,
          isoTime(e.humanOpenedAt),
          isoTime(e.humanClickedAt),
          e.openCount - e.machineOpenCount,
          e.clickCount - e.machineClickCount,
        ]),
      };
    },
  },
  events: {
    header: ['id', 'email_id', 'type', 'created_at', 'ip', 'user_agent', 'referer', 'link_index', 'url', 'detail', 'classification', 'proxy', 'rules'],
    filters: ['type', 'email_id', 'since', 'until'],
    async fetch(store, projectId, f, after) {
      const events = await store.events.list(projectId, {
        limit: PAGE,
        after,
        type: f.type as EmailEventType | undefined,
        emailId: f.email_id,
        since: f.since === undefined ? undefined : Date.parse(f.since),
        until: f.until === undefined ? undefined : Date.parse(f.until),
      });
      return {
        rows: events.map((e) => [
          e.id,
          e.emailId,
          e.type,
          isoTime(e.createdAt),
          e.ip,
          e.userAgent,
          e.referer,
          e.linkIndex,
          e.url,
          e.detail,
          e.classification,
          e.proxy,
          e.signals?.rules.join(' ') ?? null,
        ]),
        last: events.length === PAGE ? events[events.length - 1]!.id : undefined,
      };
    },
  },
  domains: {
    // The DKIM private key (sealed) and the DNS records are not exported: GET /v1/domains/:id has the records.
    header: [
      'id',
      'name',
      'status',
      'created_at',
      'open_tracking',
      'click_tracking',
      'tls',
      'custom_return_path',
      'tracking_subdomain',
      'tracking_host',
      'tracking_hosts',
    ],
    filters: ['since', 'until'],
    async fetch(store, projectId, f, after) {
      const page = await store.domains.list(projectId, { limit: PAGE, after });
      return {
        last: page.length === PAGE ? page[page.length - 1]!.id : undefined,
        rows: page
          .filter((d) => inRange(d.createdAt, f))
          .map((d) => [
            d.id,
            d.name,
            d.status,
            isoTime(d.createdAt),
            d.openTracking,
            d.clickTracking,
            d.tls,
            d.returnPath,
            d.trackingSubdomain,
            d.hosts.find((h) => h.id === d.activeHostId)?.hostname ?? null,
            trackingHostsCell(d),
          ]),
      };
    },
  },
  webhook_deliveries: {
    // The delivery log. Neither payloads nor answer bodies are exported, nor, of course, secrets.
    header: [
      'endpoint_id',
      'webhook_id',
      'event_type',
      'status',
      'attempts',
      'created_at',
      'last_attempt_at',
      'response_status',
      'duration_ms',
      'error',
      'next_attempt_at',
    ],
    filters: ['endpoint_id', 'status', 'since', 'until'],
    async fetch(store, projectId, f, after) {
      const page = await store.webhooks.listDeliveryLog(projectId, {
        limit: PAGE,
        after: deliveryCursor(after),
        endpointId: f.endpoint_id,
        status: f.status as WebhookDeliveryStatus | undefined,
        since: f.since === undefined ? undefined : Date.parse(f.since),
        until: f.until === undefined ? undefined : Date.parse(f.until),
      });
      const lastRow = page.length === PAGE ? page[page.length - 1]! : undefined;
      return {
        last: lastRow === undefined ? undefined : `${lastRow.messageId}/${lastRow.endpointId}`,
        rows: page.map((d) => [
          d.endpointId,
          `msg_${d.messageId}`,
          d.eventType,
          d.status,
          d.attempts,
          isoTime(d.createdAt),
          isoTime(d.lastAttemptAt),
          d.lastStatusCode,
          d.lastDurationMs,
          d.lastError,
          d.status === 'pending' ? isoTime(d.nextAttemptAt) : null,
        ]),
      };
    },
  },
  api_keys: {
    // Metadata only: the secret is never stored, and its hash is not exported either.
    header: ['id', 'name', 'role', 'prefix', 'created_at', 'last_used_at'],
    filters: ['since', 'until'],
    async fetch(store, projectId, f, after) {
      if (after !== undefined) return { rows: [] };
      const keys = (await store.apiKeys.list(projectId)).filter((k) => inRange(k.createdAt, f));
      return { rows: keys.map((k) => [k.id, k.name, k.role, k.prefix, isoTime(k.createdAt), isoTime(k.lastUsedAt)]) };
    },
  },
};

function resourceOf(name: string): ExportResource {
  const resource = Object.hasOwn(EXPORT_RESOURCES, name) ? EXPORT_RESOURCES[name] : undefined;
  if (resource === undefined) {
    throw new ServiceError('validation_failed', `resource must be one of ${Object.keys(EXPORT_RESOURCES).join(', ')}`, { field: 'resource' });
  }
  return resource;
}

function validateFilters(resource: ExportResource, filters: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(filters)) {
    if (!resource.filters.includes(k)) {
      throw new ServiceError('validation_failed', `unknown filter "${k}"; this resource takes: ${resource.filters.join(', ') || 'none'}`, { field: k });
    }
    if (typeof v !== 'string') throw new ServiceError('validation_failed', `filter "${k}" must be a string`, { field: k });
    if ((k === 'since' || k === 'until') && (Number.isNaN(Date.parse(v)) || !/^\d{4}-\d{2}-\d{2}/.test(v))) {
      throw new ServiceError('validation_failed', `filter "${k}" must be an ISO 8601 date-time`, { field: k });
    }
    if (k === 'type' && !EMAIL_EVENT_TYPES.includes(v as EmailEventType)) {
      throw new ServiceError('validation_failed', `filter "type" must be one of ${EMAIL_EVENT_TYPES.join(', ')}`, { field: k });
    }
    if ((k === 'email_id' || k === 'endpoint_id') && !isUuid(v)) {
      throw new ServiceError('validation_failed', `filter "${k}" must be a UUID`, { field: k });
    }
    if (k === 'status' && !WEBHOOK_DELIVERY_STATUSES.includes(v as WebhookDeliveryStatus)) {
      throw new ServiceError('validation_failed', `filter "status" must be one of ${WEBHOOK_DELIVERY_STATUSES.join(', ')}`, { field: k });
    }
    out[k] = v;
  }
  return out;
}

export type CreateExportResult = { kind: 'inline'; job: ExportJob; csv: string } | { kind: 'background'; job: ExportJob };

export type DownloadResult = { kind: 'file'; job: ExportJob; stream: ReadStream; size: number } | { kind: 'expired' } | { kind: 'not_ready'; job: ExportJob };

/**
 * CSV exports. Generation streams: rows are read in keyset pages of {@link PAGE} and written to the
 * file as they come, so memory stays flat whatever the row count. Files live under
 * `<dataDir>/exports/`, so on PostgreSQL with several nodes a download must reach the node that
 * built the file (documented limitation).
 */
export class ExportService {
  private readonly dir: string;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly store: ExportSources & Pick<Store, 'exports'>,
    private readonly clock: Clock,
    dataDir: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.dir = path.join(dataDir, 'exports');
  }

  private file(id: string): string {
    return path.join(this.dir, `${id}.csv`);
  }

  async create(projectId: string, createdBy: string, resourceName: string, rawFilters: Record<string, unknown>): Promise<CreateExportResult> {
    const resource = resourceOf(resourceName);
    const filters = validateFilters(resource, rawFilters);
    // Read just past the inline limit to decide.
    const first: CsvCell[][] = [];
    let after: string | undefined;
    let more = true;
    while (first.length <= INLINE_ROWS && more) {
      const page = await resource.fetch(this.store, projectId, filters, after);
      first.push(...page.rows);
      after = page.last;
      more = page.last !== undefined;
    }
    const now = this.clock.now();
    const base = { id: newId(), projectId, resource: resourceName, filters, createdBy, createdAt: now, expiresAt: now + EXPORT_TTL_MS };
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (first.length <= INLINE_ROWS) {
      const csv = encodeRow(resource.header) + first.map(encodeRow).join('');
      const job = await this.store.exports.create({ ...base, status: 'running' });
      await writeAtomically(this.file(job.id), csv);
      await this.store.exports.finish(job.id, first.length);
      return { kind: 'inline', job: { ...job, status: 'completed', rows: first.length, rowsDone: first.length }, csv };
    }
    const job = await this.store.exports.create(base);
    const run = this.build(job, filters).catch(async (err: unknown) => {
      this.onError(err);
      await this.store.exports.fail(job.id, err instanceof Error ? err.message : String(err)).catch(() => {});
    });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return { kind: 'background', job };
  }

  /**
   * Streams a whole export as CSV to `out`, page by page, honouring backpressure; calls
   * `onProgress` after each page with the rows written so far. Returns the row count. Used by the
   * background job and by `waymark export`.
   */
  async stream(
    projectId: string,
    resourceName: string,
    rawFilters: Record<string, unknown>,
    out: NodeJS.WritableStream,
    onProgress: (rows: number) => Promise<void> | void = () => {},
  ): Promise<number> {
    const resource = resourceOf(resourceName);
    const filters = validateFilters(resource, rawFilters);
    let rows = 0;
    if (!out.write(encodeRow(resource.header))) await once(out, 'drain');
    let after: string | undefined;
    do {
      const page = await resource.fetch(this.store, projectId, filters, after);
      for (const row of page.rows) if (!out.write(encodeRow(row))) await once(out, 'drain');
      rows += page.rows.length;
      after = page.last;
      await onProgress(rows);
    } while (after !== undefined);
    return rows;
  }

  /** The background job: streams every page to `<id>.csv.part`, then renames it. */
  private async build(job: ExportJob, filters: Record<string, string>): Promise<void> {
    const part = `${this.file(job.id)}.part`;
    const out = createWriteStream(part, { encoding: 'utf8', mode: 0o600 });
    let rows = 0;
    try {
      rows = await this.stream(job.projectId, job.resource, filters, out, (n) => this.store.exports.progress(job.id, n));
      out.end();
      await once(out, 'finish');
    } catch (err) {
      out.destroy();
      rmSync(part, { force: true });
      throw err;
    }
    renameSync(part, this.file(job.id));
    await this.store.exports.finish(job.id, rows);
  }

  list(projectId: string, page: { limit: number; after?: string }): Promise<ExportJob[]> {
    return this.store.exports.list(projectId, page);
  }

  async download(projectId: string, id: string): Promise<DownloadResult> {
    const job = await this.store.exports.get(projectId, id);
    if (job === undefined) throw new ServiceError('not_found', `no export ${id}`, { field: 'id' });
    if (job.expiresAt <= this.clock.now()) {
      rmSync(this.file(job.id), { force: true });
      return { kind: 'expired' };
    }
    if (job.status !== 'completed') return { kind: 'not_ready', job };
    const file = this.file(job.id);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      throw new ServiceError('not_found', `the file of export ${id} is not on this node`, { field: 'id' });
    }
    return { kind: 'file', job, stream: createReadStream(file), size };
  }

  /** Waits for the running jobs (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const out = createWriteStream(`${file}.part`, { encoding: 'utf8', mode: 0o600 });
  out.end(text);
  await once(out, 'finish');
  renameSync(`${file}.part`, file);
}
