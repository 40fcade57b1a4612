/** Entities shared by every layer. Times are epoch milliseconds; ids are UUIDv7 strings. */

export type ApiKeyRole = 'admin' | 'member';
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
  lastEvent: EmailEventType | null;
  lastEventAt: number | null;
}

export type EmailEventType = 'sent' | 'failed' | 'opened' | 'clicked';

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
  createdAt: number;
  updatedAt: number;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

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
