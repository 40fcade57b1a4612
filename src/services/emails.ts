import { createHash } from 'node:crypto';
import { instrument } from '../core/instrument/index.js';
import type { ClickTrackingMode, Email, EmailEvent, EmailTag, PixelPlacement } from '../core/model.js';
import { type LinkClicks, emailPreview } from '../core/preview.js';
import { decodeToken, type Keyring } from '../core/tokens/index.js';
import { newId } from '../lib/ids.js';
import type { Clock } from '../ports/clock.js';
import type { MimeComposer, OutgoingMessage } from '../ports/mailer.js';
import type { EmailListFilter, EventFilter, Store } from '../ports/store.js';
import { addressDomain, parseAddresses, validateHeaders } from './email-validation.js';
import type { DomainTracking } from './domains.js';
import { ServiceError } from '../core/errors.js';

/** An email to send, as the caller gives it: addresses still to be parsed, tracking still to be resolved. */
export interface SendEmailInput {
  from: string;
  to: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  replyTo?: string | string[];
  subject: string;
  html?: string;
  text?: string;
  headers?: Record<string, string>;
  tags?: EmailTag[];
  /** `trapLink`: the hidden trap link in the tracked HTML (core/classification/trap.ts). */
  tracking?: { open?: boolean; click?: boolean | 'html' | 'text'; trapLink?: boolean; aggregateOnly?: boolean };
  pixel?: PixelPlacement;
}

export interface EmailServiceOptions {
  store: Pick<Store, 'emails' | 'events'>;
  keyring: Keyring;
  clock: Clock;
  composer: MimeComposer;
  trackingUrl: string;
  excludedHosts: string[];
  /** Without an SMTP relay, emails are kept and marked `captured`. */
  relayConfigured: boolean;
  /** Called after an email is queued, so the delivery worker need not wait for its next poll. */
  onQueued?: () => void;
  /** The sending domain of a `from` address and its tracking settings and host. */
  domains?: { trackingFor(projectId: string, domainName: string): Promise<DomainTracking | null> };
}

export interface SendOptions {
  /** A repeat with the same key and the same input returns the first email instead of sending another. */
  idempotencyKey?: string;
  /** The caller's key may only send from this sending domain. */
  onlyDomainId?: string | null;
}

export interface SendResult {
  id: string;
  /** True when an Idempotency-Key matched an earlier request. */
  replayed: boolean;
}

export class EmailService {
  /** The default tracking host, so links already on it are left alone. */
  private readonly defaultTrackingHost: string;

  constructor(private readonly o: EmailServiceOptions) {
    this.defaultTrackingHost = new URL(o.trackingUrl).hostname;
  }

  async send(projectId: string, input: SendEmailInput, options: SendOptions = {}): Promise<SendResult> {
    if (input.html === undefined && input.text === undefined) {
      throw new ServiceError('validation_failed', 'at least one of "html" or "text" is required', { field: 'html' });
    }
    const from = parseAddresses('from', input.from, { single: true })[0]!;
    const to = parseAddresses('to', input.to);
    if (to.length === 0) throw new ServiceError('validation_failed', '"to" needs at least one address', { field: 'to' });
    const cc = parseAddresses('cc', input.cc);
    const bcc = parseAddresses('bcc', input.bcc);
    const replyTo = parseAddresses('reply_to', input.replyTo);
    const headers = validateHeaders(input.headers);

    const id = newId();
    const fromDomain = addressDomain(from);
    const domain = fromDomain && this.o.domains ? await this.o.domains.trackingFor(projectId, fromDomain) : null;
    const onlyDomainId = options.onlyDomainId ?? null;
    if (onlyDomainId !== null && domain?.domainId !== onlyDomainId) {
      throw new ServiceError('forbidden', `this key may only send from its own sending domain, not from "${fromDomain ?? input.from}"`, { field: 'from' });
    }
    const { trackOpens, trackClicks, trapLink, aggregateOnly } = resolveTracking(input.tracking, domain);
    const hostId = domain?.trackingUrl ? domain.hostId : 0;
    const now = this.o.clock.now();
    const tags = input.tags ?? [];
    // The tokens of an aggregate-only email name its cohort, never the email.
    const cohortId =
      aggregateOnly && (trackOpens || trackClicks !== false)
        ? await this.o.store.emails.aggregateCohort({ projectId, domainId: domain?.domainId ?? null, tags, createdAt: now })
        : undefined;
    const tracked = instrument(
      { html: input.html, text: input.text },
      {
        open: trackOpens,
        click: trackClicks,
        trackingUrl: domain?.trackingUrl ?? this.o.trackingUrl,
        hostId,
        knownTrackingHosts: [this.defaultTrackingHost, ...(domain?.hostnames ?? [])],
        keyring: this.o.keyring,
        emailId: id,
        excludedHosts: this.o.excludedHosts,
        pixel: input.pixel ?? 'bottom',
        trapLink,
        ...(cohortId !== undefined && { aggregateCohortId: cohortId }),
      },
    );
    const status = this.o.relayConfigured ? 'queued' : 'captured';
    const result = await this.o.store.emails.create(
      {
        id,
        projectId,
        from,
        to,
        cc,
        bcc,
        replyTo,
        subject: input.subject,
        html: tracked.html ?? null,
        text: tracked.text ?? null,
        headers,
        tags,
        trackOpens,
        trackClicks,
        links: tracked.links.map((l) => ({ index: l.index, url: l.destination, label: l.label, location: l.location })),
        status,
        statusDetail: null,
        messageId: messageIdFor(id, from),
        nextAttemptAt: status === 'queued' ? now : null,
        createdAt: now,
        sentAt: status === 'captured' ? now : null,
        domainId: domain?.domainId ?? null,
        trackingHostId: trackOpens || trackClicks !== false ? hostId : 0,
        aggregateOnly,
      },
      options.idempotencyKey === undefined ? undefined : { key: options.idempotencyKey, requestHash: requestHash(input) },
    );
    switch (result.outcome) {
      case 'conflict':
        throw new ServiceError('idempotency_conflict', 'this Idempotency-Key was already used with a different request body');
      case 'replayed':
        return { id: result.emailId, replayed: true };
      case 'created':
        if (status === 'queued') this.o.onQueued?.();
        return { id: result.email.id, replayed: false };
    }
  }

  async get(projectId: string, id: string): Promise<Email> {
    const email = await this.o.store.emails.get(projectId, id);
    if (!email) throw new ServiceError('not_found', `email ${id} not found`);
    return email;
  }

  list(projectId: string, filter: EmailListFilter): Promise<Email[]> {
    return this.o.store.emails.list(projectId, filter);
  }

  async events(projectId: string, filter: EventFilter): Promise<EmailEvent[]> {
    if (filter.emailId !== undefined) await this.get(projectId, filter.emailId);
    return this.o.store.events.list(projectId, filter);
  }

  /**
   * The HTML part to look at: its pixel blanked and its tracked links made inert (a preview records
   * nothing), with a click map of these per-link clicks when given. Null without an HTML part.
   */
  async preview(projectId: string, id: string, clickMap?: readonly LinkClicks[]): Promise<string | null> {
    const email = await this.get(projectId, id);
    if (email.html === null) return null;
    const linkIndexOf = (token: string) => {
      const decoded = decodeToken(this.o.keyring, token);
      if (decoded?.kind === 'click') return decoded.emailId === email.id ? decoded.linkIndex : null;
      // An aggregate-only email's links name its cohort; they are in its own HTML all the same.
      return decoded?.kind === 'aggregate_click' && email.aggregateOnly ? decoded.linkIndex : null;
    };
    if (clickMap === undefined) return emailPreview(email.html, { linkIndexOf });
    // Every tracked link is on the map, those nobody clicked with 0.
    const counted = new Map(clickMap.map((l) => [l.index, l]));
    const all = email.links.map((l) => counted.get(l.index) ?? { index: l.index, clicks: 0, uniqueClicks: 0 });
    return emailPreview(email.html, { linkIndexOf, clickMap: all });
  }

  /** The message as RFC 5322 bytes, built by the same composer that delivers it. */
  async raw(projectId: string, id: string): Promise<Buffer> {
    return this.o.composer.compose(outgoingMessage(await this.get(projectId, id)));
  }
}

export function outgoingMessage(email: Email): OutgoingMessage {
  return {
    messageId: email.messageId ?? messageIdFor(email.id, email.from),
    from: email.from,
    to: email.to,
    cc: email.cc,
    bcc: email.bcc,
    replyTo: email.replyTo,
    subject: email.subject,
    html: email.html,
    text: email.text,
    headers: email.headers,
  };
}

/**
 * Tracking is opt-in. Each of open, click and the trap link is decided on its own: the email's
 * `tracking` setting when it has one, in either direction; else its sending domain's setting; else off.
 */
export function resolveTracking(
  tracking: SendEmailInput['tracking'],
  domain: Pick<DomainTracking, 'openTracking' | 'clickTracking' | 'trapLink' | 'aggregateOnly'> | null = null,
): { trackOpens: boolean; trackClicks: ClickTrackingMode; trapLink: boolean; aggregateOnly: boolean } {
  const click = tracking?.click ?? (domain?.clickTracking === true ? true : undefined);
  return {
    trackOpens: tracking?.open ?? domain?.openTracking ?? false,
    trackClicks: click === true ? 'html_and_text' : click === 'html' || click === 'text' ? click : false,
    trapLink: tracking?.trapLink ?? domain?.trapLink ?? false,
    aggregateOnly: tracking?.aggregateOnly ?? domain?.aggregateOnly ?? false,
  };
}

function messageIdFor(id: string, from: string): string {
  return `<${id}@${addressDomain(from) || 'waymark.invalid'}>`;
}

/**
 * The same request in any key order hashes alike: keys are sorted at every level (arrays keep their
 * order). Hashed under the API's field names, so keys stored before still match their requests.
 */
function requestHash(input: SendEmailInput): string {
  const { replyTo, tracking, ...rest } = input;
  return createHash('sha256').update(JSON.stringify({ ...rest, reply_to: replyTo, tracking: tracking && trackingAsSent(tracking) }, sortedKeys)).digest('hex');
}

/** `tracking` under the API's field names (an absent trap_link or aggregate_only leaves the hash as it was). */
function trackingAsSent(tracking: NonNullable<SendEmailInput['tracking']>): Record<string, unknown> {
  const { trapLink, aggregateOnly, ...rest } = tracking;
  return { ...rest, trap_link: trapLink, aggregate_only: aggregateOnly };
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
