/** Entities shared by every layer. Times are epoch milliseconds; ids are UUIDv7 strings. */
import type { HitClassification, HitProxy } from './classification/labels.js';

/** admin: everything; member: read everything, change nothing; sending: only send email. */
export type ApiKeyRole = 'admin' | 'member' | 'sending';
export const API_KEY_ROLES = ['admin', 'member', 'sending'] as const satisfies readonly ApiKeyRole[];
export type ClickTrackingMode = false | 'html' | 'text' | 'html_and_text';
export type PixelPlacement = 'bottom' | 'top' | 'auto';

export interface Project {
  id: string;
  name: string;
  isDefault: boolean;
  createdAt: number;
}

export interface ApiKey {
  id: string;
  projectId: string;
  name: string;
  role: ApiKeyRole;
  /** First characters of the key, safe to show ("wm_Ab3d…"). */
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  /** After this the key no longer authenticates; null: never. */
  expiresAt: number | null;
  /** A sending key limited to this sending domain; null: any. */
  domainId: string | null;
}

/** `queued` waits for the SMTP relay; `captured` was kept because no relay is configured. */
export type EmailStatus = 'queued' | 'sent' | 'captured' | 'failed';

export interface EmailTag {
  name: string;
  value: string;
}

export interface EmailLink {
  index: number;
  url: string;
  label: string;
  location: 'html' | 'vml' | 'text';
}

export interface Email {
  id: string;
  projectId: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  /** As sent: already instrumented. */
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
  tags: EmailTag[];
  trackOpens: boolean;
  trackClicks: ClickTrackingMode;
  links: EmailLink[];
  status: EmailStatus;
  statusDetail: string | null;
  messageId: string | null;
  deliveryAttempts: number;
  nextAttemptAt: number | null;
  createdAt: number;
  sentAt: number | null;
  openedAt: number | null;
  clickedAt: number | null;
  openCount: number;
  clickCount: number;
  /** First open or click by a person (a click means the message was read). */
  humanOpenedAt: number | null;
  humanClickedAt: number | null;
  /** Of openCount and clickCount, the hits labelled a machine's. */
  machineOpenCount: number;
  machineClickCount: number;
  lastEvent: EmailEventType | null;
  lastEventAt: number | null;
  /** The sending domain of the `from` address, when it is one of the project's domains. */
  domainId: string | null;
  /** The tracking host its links and pixel were minted on (0: the default tracking host). */
  trackingHostId: number;
  /** Its tokens name its cohort, not the email: its opens and clicks are counted in aggregate only. */
  aggregateOnly: boolean;
}

/** An email without its rendered bodies: what webhook payloads are built from. */
export type EmailSummary = Omit<Email, 'html' | 'text'>;

export const EMAIL_EVENT_TYPES = ['sent', 'failed', 'opened', 'clicked'] as const;
export type EmailEventType = (typeof EMAIL_EVENT_TYPES)[number];

export interface EmailEvent {
  id: string;
  projectId: string;
  emailId: string;
  type: EmailEventType;
  createdAt: number;
  ip: string | null;
  userAgent: string | null;
  referer: string | null;
  linkIndex: number | null;
  url: string | null;
  /** `sent`: the email status (sent or captured); `failed`: the error. */
  detail: string | null;
  /** Opens and clicks: who made the hit. Null for other events. */
  classification: HitClassification | null;
  /** Opens and clicks: the proxy the hit came through, if any. */
  proxy: HitProxy | null;
  /** Why: null for hits recorded before they were classified. */
  signals: HitSignals | null;
}

/** What decided a hit's labels, kept so a rule change can be explained and re-applied. */
export interface HitSignals {
  version: number;
  rules: string[];
  method: 'GET' | 'HEAD';
  /** The operator's machine IP list the client address was in, when the hit was recorded. */
  ipList: string | null;
}

/** What a webhook endpoint can subscribe to. `event.test` is sent on request, to any endpoint. */
export const WEBHOOK_EVENT_TYPES = ['email.sent', 'email.opened', 'email.clicked', 'domain.updated'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number] | 'event.test';

/** `gone`: the endpoint answered 410; `failing`: it failed for too long; `manual`: disabled through the API. */
export type WebhookDisabledReason = 'gone' | 'failing' | 'manual';

export interface WebhookEndpoint {
  id: string;
  projectId: string;
  url: string;
  description: string | null;
  events: WebhookEventType[];
  /** `whsec_…`. Never shown after creation or rotation. */
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: number | null;
  enabled: boolean;
  disabledReason: WebhookDisabledReason | null;
  failingSince: number | null;
  /** Opens and clicks are delivered only when labelled a person's. */
  humanOnly: boolean;
  createdAt: number;
  updatedAt: number;
}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One message to one endpoint: the outbox row and its delivery log. */
export interface WebhookDelivery {
  endpointId: string;
  /** webhook-id is `msg_` + this; the same for every attempt. */
  messageId: string;
  projectId: string;
  eventType: WebhookEventType;
  eventId: string | null;
  payload: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  /** The first 1 KB of the last answer's body. */
  lastResponse: string | null;
  createdAt: number;
}

/** See the "Statuses" table in docs/domains.md for what each status means. */
export const DOMAIN_STATUSES = [
  'not_started',
  'pending',
  'verified',
  'partially_verified',
  'partially_failed',
  'failed',
  'temporary_failure',
] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

/** A record's own status: the domain statuses that make sense for one record. */
export const DNS_RECORD_STATUSES = ['not_started', 'pending', 'verified', 'failed', 'temporary_failure'] as const;
export type DnsRecordStatus = (typeof DNS_RECORD_STATUSES)[number];
export type DnsRecordKind = 'DKIM' | 'SPF' | 'MX' | 'DMARC' | 'Tracking' | 'CAA';
export type DnsRecordType = 'TXT' | 'MX' | 'CNAME' | 'CAA';
export type DomainTlsMode = 'opportunistic' | 'enforced';

/** One DNS record the domain owner adds, with what the last check of it found. */
export interface DomainRecord {
  record: DnsRecordKind;
  type: DnsRecordType;
  name: string;
  value: string;
  ttl: number;
  priority?: number;
  status: DnsRecordStatus;
  /** What the last conclusive lookup found at `name` for `type` (CNAME: the chain followed). */
  found: string[];
  /**
   * Why the record is not verified, from the last lookup: `nxdomain`, `nodata`, `mismatch`,
   * `multiple_spf`, or an inconclusive `servfail`, `timeout`, `refused`, `lookup_error`.
   */
  problem: string | null;
  checkedAt: number | null;
  /** Start of the current run without the record (pending or temporary_failure), for the 72 h rule. */
  missingSince: number | null;
  verifiedAt: number | null;
}

/** `not_verified` until its first check, or after 72 h without its records; then `pending`, then `verified`. */
export type TrackingHostStatus = 'not_verified' | 'pending' | 'verified';

/**
 * A tracking host (`links.example.com`). Its id travels in every token minted on it, and a host
 * is never deleted while its domain exists, so links in mail already sent keep working.
 */
export interface TrackingHost {
  /** Positive integer, never reused; 0 is the default tracking host (WAYMARK_TRACKING_URL). */
  id: number;
  domainId: string;
  projectId: string;
  hostname: string;
  status: TrackingHostStatus;
  createdAt: number;
  /** First time the host was verified: from then on it serves its tokens for good. */
  verifiedAt: number | null;
  /** Set when its domain was deleted: the host then answers 404. */
  deletedAt: number | null;
}

export interface Domain {
  id: string;
  projectId: string;
  /** Lowercase, punycode, no trailing dot. */
  name: string;
  returnPath: string;
  openTracking: boolean;
  clickTracking: boolean;
  /** Put the hidden trap link (core/classification/trap.ts) into tracked HTML, unless the email says otherwise. */
  trapLink: boolean;
  /** Count its emails' opens and clicks in aggregate only, unless the email says otherwise. */
  aggregateOnly: boolean;
  tls: DomainTlsMode;
  dkimSelector: string;
  /** base64 DER SubjectPublicKeyInfo, as it goes in the DKIM record's p= tag. */
  dkimPublicKey: string;
  /** The private key, sealed under the server secret (see core/secrets/sealed-box.ts). */
  dkimPrivateKeySealed: string;
  /** The tracking subdomain as last set (`links`), or null when none was ever set. */
  trackingSubdomain: string | null;
  trackingSubdomainSetAt: number | null;
  /** The host new emails use: the last tracking host to be verified. Null until one is. */
  activeHostId: number | null;
  status: DomainStatus;
  records: DomainRecord[];
  verificationStartedAt: number | null;
  lastCheckedAt: number | null;
  nextCheckAt: number | null;
  /** Bumped on every write, so two concurrent checks cannot overwrite each other. */
  version: number;
  createdAt: number;
  updatedAt: number;
  /** Every tracking host the domain ever had, oldest first. */
  hosts: TrackingHost[];
}

/** A tracking hit, already verified, waiting to be written. */
export interface TrackingHit {
  id: string;
  emailId: string;
  type: 'opened' | 'clicked';
  createdAt: number;
  ip: string | null;
  userAgent: string | null;
  referer: string | null;
  linkIndex: number | null;
  url: string | null;
  /** HEAD: a link checker or proxy, never a person. Absent: GET. */
  method?: 'GET' | 'HEAD';
  /** The operator's machine IP list the client address is in (read before any IP anonymisation). */
  ipList?: string | null;
  /**
   * A hit of an aggregate-only email: `emailId` then holds the id of its cohort (the token names
   * no email), and the hit only moves the cohort's aggregate counts.
   */
  aggregate?: boolean;
}
