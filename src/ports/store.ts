import type { HitClassification, HitProxy } from '../core/classification/labels.js';
import type { JournalMark, JournalPosition } from './journal-position.js';
import type {
  ApiKey,
  ApiKeyRole,
  Domain,
  TrackingHost,
  TrackingHostStatus,
  Email,
  EmailEvent,
  EmailStatus,
  EmailSummary,
  EmailTag,
  EmailEventType,
  Project,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookDisabledReason,
  WebhookEndpoint,
  WebhookEventType,
  TrackingHit,
} from '../core/model.js';
import type { AnalyticsRepository } from './analytics.js';
import type { ExportRepository } from './exports.js';

/**
 * The storage port. One interface, two adapters (SQLite and PostgreSQL), one test suite run
 * against both (src/adapters/store/store.contract.ts).
 */
export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  readonly projects: ProjectRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly emails: EmailRepository;
  readonly events: EventRepository;
  readonly webhooks: WebhookRepository;
  readonly domains: DomainRepository;
  readonly analytics: AnalyticsRepository;
  readonly exports: ExportRepository;
  /** Applies pending migrations; safe to call on every start and from several nodes at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface NewProject {
  id: string;
  name: string;
  isDefault: boolean;
  createdAt: number;
}

export interface ProjectRepository {
  create(project: NewProject): Promise<Project>;
  get(id: string): Promise<Project | undefined>;
  /** The project created on first start. */
  getDefault(): Promise<Project | undefined>;
  list(): Promise<Project[]>;
}

export interface NewApiKey {
  id: string;
  projectId: string;
  name: string;
  role: ApiKeyRole;
  prefix: string;
  /** SHA-256 of the full key, hex. The key itself is never stored. */
  hash: string;
  createdAt: number;
  expiresAt?: number | null;
  domainId?: string | null;
}

export interface ApiKeyRepository {
  create(key: NewApiKey): Promise<ApiKey>;
  findByHash(hash: string): Promise<ApiKey | undefined>;
  /** Any project's key by id (a dashboard session names its key). */
  findById(id: string): Promise<ApiKey | undefined>;
  /** Sets last_used_at. */
  touch(id: string, at: number): Promise<void>;
  count(): Promise<number>;
  list(projectId: string): Promise<ApiKey[]>;
  get(projectId: string, id: string): Promise<ApiKey | undefined>;
  /** Deletes the key, so it stops authenticating at once on every node. False when there is none. */
  delete(projectId: string, id: string): Promise<boolean>;
}

/** Cursor pagination: newest first; `after` is the id of the last item of the previous page. */
export interface Page {
  limit: number;
  after?: string;
}

/** A page of a project's emails, newest first, narrowed by status and by creation time. */
export interface EmailListFilter extends Page {
  status?: EmailStatus;
  /** Created at or after (epoch ms). */
  since?: number;
  /** Created before (epoch ms). */
  until?: number;
}

export type NewEmail = Omit<
  Email,
  | 'openedAt'
  | 'clickedAt'
  | 'openCount'
  | 'clickCount'
  | 'humanOpenedAt'
  | 'humanClickedAt'
  | 'machineOpenCount'
  | 'machineClickCount'
  | 'lastEvent'
  | 'lastEventAt'
  | 'deliveryAttempts'
  | 'domainId'
  | 'trackingHostId'
  | 'aggregateOnly'
> & { domainId?: string | null; trackingHostId?: number; aggregateOnly?: boolean };

export interface IdempotencyClaim {
  key: string;
  /** Hash of the request body: the same key with another body is a conflict. */
  requestHash: string;
}

export type CreateEmailResult =
  | { outcome: 'created'; email: Email }
  | { outcome: 'replayed'; emailId: string }
  | { outcome: 'conflict' };

export interface DeliveryOutcome {
  emailId: string;
  at: number;
  status: 'sent' | 'failed';
  messageId?: string | null;
  detail?: string | null;
  /** When set, the email stays queued and is retried then. */
  retryAt?: number | null;
}

export interface EmailRepository {
  /**
   * Inserts the email, its idempotency claim (if any) and, for a `captured` email, its `sent`
   * event, in one transaction.
   */
  create(email: NewEmail, idempotency?: IdempotencyClaim): Promise<CreateEmailResult>;
  /**
   * The id of the cohort of aggregate-only emails with these dimensions (the send hour of
   * `createdAt`), made on first use. It is what such an email's tokens carry instead of its id.
   */
  aggregateCohort(cohort: { projectId: string; domainId: string | null; tags: readonly EmailTag[]; createdAt: number }): Promise<string>;
  get(projectId: string, id: string): Promise<Email | undefined>;
  list(projectId: string, filter: EmailListFilter): Promise<Email[]>;
  /**
   * Claims up to `limit` queued emails due at `now` and pushes their next attempt to `leaseUntil`,
   * so a crashed sender's claim lapses. On PostgreSQL each email goes to exactly one node.
   */
  claimDue(now: number, leaseUntil: number, limit: number): Promise<Email[]>;
  /** Records the attempt's outcome and, when final, its `sent` or `failed` event, in one transaction. */
  recordDelivery(outcome: DeliveryOutcome): Promise<void>;
}

/** A tracking hit, already verified, waiting to be written (defined in the core: the journal's codec keeps it too). */
export type { TrackingHit };

export interface EventFilter extends Page {
  type?: EmailEventType;
  emailId?: string;
  since?: number;
  until?: number;
  /** Opens and clicks with this label; `machine`: any label but `human`. */
  classification?: HitClassification | 'machine';
  /** Opens and clicks through this proxy; `none`: through none. */
  proxy?: HitProxy | 'none';
}

export interface EventRepository {
  /**
   * Writes a batch of hits in one transaction (the group commit): each event row, the email's
   * counters, first-open/first-click times and last event, the analytics rollups and the webhook
   * outbox rows. A hit whose email does not exist is dropped. Resolves only once it is durable.
   * With `journal`, the journal's position moves to `journal.end` in the same transaction; if it is
   * already there or beyond (these hits were ingested before), nothing is written and it rejects
   * with an error named `StaleJournalPosition`.
   */
  appendHits(hits: readonly TrackingHit[], journal?: JournalMark): Promise<void>;
  /** How far a journal has been ingested (`JOURNAL_START` when never). */
  journalPosition(journalId: string): Promise<JournalPosition>;
  /**
   * Makes every batch written with a journal mark durable. Such a batch may be committed without
   * its own fsync (its hits are still in the journal); call this before the journal deletes them.
   */
  syncIngested(journalId: string): Promise<void>;
  list(projectId: string, filter: EventFilter): Promise<EmailEvent[]>;
  /**
   * Applies the current classification rules to the stored hits of the next `limit` emails (of
   * every project) after the email id `after`, moving counts where a hit changes sides; one
   * transaction per call. `last` is the cursor of the next call, null when none was left.
   */
  reclassify(after: string | null, limit: number): Promise<{ emails: number; last: string | null; hits: number; changed: number }>;
  /**
   * Retention: deletes up to `limit` raw events (of every project) created before `before`, oldest
   * first, in one short statement, and returns how many went. An event that a pending webhook
   * delivery will still be built from is kept until that delivery is delivered or failed. Rollups,
   * emails' counters and first-open/first-click times are not touched.
   */
  purgeBefore(before: number, limit: number): Promise<number>;
}

export type NewWebhookEndpoint = Omit<WebhookEndpoint, 'previousSecret' | 'previousSecretUntil' | 'disabledReason' | 'failingSince' | 'humanOnly'> & {
  humanOnly?: boolean;
};

export interface WebhookEndpointPatch {
  url?: string;
  events?: WebhookEventType[];
  description?: string | null;
  humanOnly?: boolean;
  /** true re-enables (clearing the reason and the failure run); false disables as `manual`. */
  enabled?: boolean;
  /** A rotation: the new secret, and until when the old one keeps signing. */
  rotate?: { secret: string; previousUntil: number };
}

/** A message queued for every enabled endpoint of a project that subscribes to its type. */
export interface WebhookMessage {
  projectId: string;
  messageId: string;
  eventType: WebhookEventType;
  /** The payload as it will be sent. */
  payload: string;
  createdAt: number;
}

/** What one attempt came to. */
export interface WebhookAttempt {
  endpointId: string;
  messageId: string;
  /**
   * The lease the delivery was claimed under (its next_attempt_at after the claim). If the delivery
   * was queued again meanwhile (manual retry, replay), the attempt is logged but does not undo that.
   */
  claimedUntil: number;
  at: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  response: string | null;
  /** delivered, failed for good, or to be retried at `retryAt`. */
  outcome: 'delivered' | 'failed' | 'retry';
  retryAt?: number;
  /** Disable the endpoint (410, or failing for too long). */
  disableEndpoint?: WebhookDisabledReason;
}

/** A filter on a project's delivery log (the webhook_deliveries export). */
export interface DeliveryLogFilter {
  limit: number;
  /** The last delivery of the previous page (the log is ordered by message id, then endpoint id, newest first). */
  after?: { messageId: string; endpointId: string };
  endpointId?: string;
  status?: WebhookDeliveryStatus;
  /** On the delivery's creation (queueing) time: `since` inclusive, `until` exclusive. */
  since?: number;
  until?: number;
}

/** A claimed delivery with what is needed to send it. */
export interface ClaimedWebhook {
  delivery: WebhookDelivery;
  endpoint: WebhookEndpoint;
  /** For email events: the event and its email (without its bodies), to build the payload. */
  event: EmailEvent | null;
  email: EmailSummary | null;
}

export interface WebhookRepository {
  createEndpoint(endpoint: NewWebhookEndpoint): Promise<WebhookEndpoint>;
  getEndpoint(projectId: string, id: string): Promise<WebhookEndpoint | undefined>;
  listEndpoints(projectId: string, page: Page): Promise<WebhookEndpoint[]>;
  updateEndpoint(projectId: string, id: string, patch: WebhookEndpointPatch, at: number): Promise<WebhookEndpoint | undefined>;
  /** Endpoints of every project whose current or previous secret is stored in the clear (`whsec_…`). */
  endpointsWithPlainSecrets(): Promise<WebhookEndpoint[]>;
  /** Replaces the stored secrets if they are still the ones read (a rotation meanwhile wins). */
  replaceSecrets(id: string, secret: string, newSecret: string, previousSecret: string | null, newPreviousSecret: string | null): Promise<void>;
  /** Deletes the endpoint and its delivery log. False when there is no such endpoint. */
  deleteEndpoint(projectId: string, id: string): Promise<boolean>;
  /** Queues a message (e.g. event.test to one endpoint, or domain.updated to subscribers). Returns how many deliveries. */
  enqueue(message: WebhookMessage, onlyEndpointId?: string): Promise<number>;
  /**
   * Claims up to `limit` deliveries due at `now` and pushes their next attempt to `leaseUntil`, so a
   * crashed worker's claim lapses. On PostgreSQL each delivery goes to exactly one node.
   * Deliveries to `exceptEndpoints` (still busy on this node) are left alone.
   */
  claimDue(now: number, leaseUntil: number, limit: number, exceptEndpoints?: readonly string[]): Promise<ClaimedWebhook[]>;
  /** Records attempts (and what they do to their endpoints) in one transaction. */
  recordAttempts(attempts: readonly WebhookAttempt[]): Promise<void>;
  /** Newest first; the cursor is a message id. */
  listDeliveries(projectId: string, endpointId: string, page: Page): Promise<WebhookDelivery[]>;
  /** The project's delivery log across its endpoints (or one), newest first, keyset-paged. */
  listDeliveryLog(projectId: string, filter: DeliveryLogFilter): Promise<WebhookDelivery[]>;
  /** Makes a delivery due now again (manual retry). Undefined when there is no such delivery. */
  retryDelivery(projectId: string, endpointId: string, messageId: string, at: number): Promise<WebhookDelivery | undefined>;
  /**
   * Queues again, for one endpoint, every email event since `since` of the types it subscribes to
   * (at most `limit`, oldest first). Returns how many were queued.
   */
  replay(projectId: string, endpointId: string, since: number, at: number, limit: number): Promise<number>;
}

export type NewDomain = Omit<Domain, 'hosts' | 'version' | 'updatedAt' | 'activeHostId' | 'trackingSubdomain' | 'trackingSubdomainSetAt'>;

/** What a save does besides writing the domain's own columns. */
export interface DomainSaveOptions {
  /** Adds a tracking host (a subdomain never used by this domain before); its id is assigned here. */
  newHost?: { hostname: string; status: TrackingHostStatus; createdAt: number };
  /** Status and first-verified time of existing hosts, by id. */
  hostUpdates?: ReadonlyArray<{ id: number; status: TrackingHostStatus; verifiedAt: number | null }>;
  /** A webhook (domain.updated) queued in the same transaction. */
  message?: WebhookMessage;
}

/** A save's new tracking host is already a live host of another domain. */
export class TrackingHostTaken extends Error {}

export type CreateDomainResult = { outcome: 'created'; domain: Domain } | { outcome: 'conflict' };

export interface DomainRepository {
  /** Refuses (conflict) a name that any project already has: a tracking host routes to one project. */
  create(domain: NewDomain): Promise<CreateDomainResult>;
  get(projectId: string, id: string): Promise<Domain | undefined>;
  /** The project's domain with this exact name (lowercase punycode). */
  findByName(projectId: string, name: string): Promise<Domain | undefined>;
  list(projectId: string, page: Page): Promise<Domain[]>;
  /**
   * Writes the domain's settings, records and schedule if its version is still `domain.version`,
   * bumping it. Undefined when another write came first (the caller reads again and retries), or
   * when the domain is gone. Throws TrackingHostTaken if `newHost` names a live host of another domain.
   */
  save(domain: Domain, options?: DomainSaveOptions): Promise<Domain | undefined>;
  /** Deletes the domain; its hosts stay as tombstones (they answer 404). False when there is none. */
  delete(projectId: string, id: string, at: number): Promise<boolean>;
  /**
   * Claims up to `limit` domains due for a check at `now`, pushing their next check to
   * `leaseUntil` so a crashed checker's claim lapses. On PostgreSQL each goes to one node.
   */
  claimDue(now: number, leaseUntil: number, limit: number): Promise<Domain[]>;
  /** Emails whose links were minted on one of these hosts, created at or after `since`. */
  countEmailsOnHosts(hostIds: readonly number[], since: number): Promise<number>;
  /** Every tracking host there is, tombstones included, for routing. */
  allHosts(): Promise<TrackingHost[]>;
}
