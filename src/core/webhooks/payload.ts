import type { EmailEvent, EmailSummary, WebhookEventType } from '../model.js';
import { isoTime } from '../time.js';

/** The JSON sent for an email event: `{ type, created_at, data }` (see docs/webhooks.md). */
export function emailEventPayload(type: WebhookEventType, event: EmailEvent, email: EmailSummary): string {
  const data: Record<string, unknown> = {
    email_id: email.id,
    from: email.from,
    to: email.to,
    subject: email.subject,
    tags: email.tags,
    created_at: isoTime(email.createdAt),
  };
  if (event.type === 'sent') data.status = email.status === 'captured' ? 'captured' : 'sent';
  if (event.type === 'opened') {
    data.open = { ip_address: event.ip, user_agent: event.userAgent, timestamp: isoTime(event.createdAt), ...labels(event) };
  }
  if (event.type === 'clicked') {
    data.click = {
      link: event.url,
      link_index: event.linkIndex,
      ip_address: event.ip,
      user_agent: event.userAgent,
      timestamp: isoTime(event.createdAt),
      ...labels(event),
    };
  }
  return JSON.stringify({ type, created_at: isoTime(event.createdAt), data });
}

/** Who made the hit, as the event has it when the message is sent. */
function labels(event: EmailEvent): { classification: string; proxy: string | null } {
  return { classification: event.classification ?? 'human', proxy: event.proxy };
}

/** Any other event: `{ type, created_at, data }` with the data given. */
export function eventPayload(type: WebhookEventType, at: number, data: Record<string, unknown>): string {
  return JSON.stringify({ type, created_at: isoTime(at), data });
}


