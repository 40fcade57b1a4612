import { EMAIL_EVENT_TYPES, type EmailEvent, type EmailEventType } from '../../core/model.js';
import { iso, pageQueryProperties } from './common.js';

const eventProperties = {
  id: { type: 'string' },
  object: { type: 'string', const: 'event' },
  type: { type: 'string', enum: EMAIL_EVENT_TYPES },
  email_id: { type: 'string' },
  created_at: { type: 'string', format: 'date-time' },
  ip: { type: ['string', 'null'] },
  user_agent: { type: ['string', 'null'] },
  referer: { type: ['string', 'null'] },
  link_index: { type: ['integer', 'null'] },
  url: { type: ['string', 'null'] },
  detail: { type: ['string', 'null'] },
} as const;

export const eventSchema = { $id: 'Event', type: 'object', required: Object.keys(eventProperties), properties: eventProperties } as const;

export const eventFilterQueryProperties = {
  ...pageQueryProperties,
  type: { type: 'string', enum: EMAIL_EVENT_TYPES },
  since: { type: 'string', format: 'date-time', description: 'events at or after this time' },
  until: { type: 'string', format: 'date-time', description: 'events before this time' },
} as const;

export interface EventFilterQuery {
  limit: number;
  after?: string;
  type?: EmailEventType;
  since?: string;
  until?: string;
}

export function eventFilter(q: EventFilterQuery) {
  return {
    type: q.type,
    since: q.since === undefined ? undefined : Date.parse(q.since),
    until: q.until === undefined ? undefined : Date.parse(q.until),
  };
}

export function eventJson(e: EmailEvent) {
  return {
    id: e.id,
    object: 'event',
    type: e.type,
    email_id: e.emailId,
    created_at: iso(e.createdAt),
    ip: e.ip,
    user_agent: e.userAgent,
    referer: e.referer,
    link_index: e.linkIndex,
    url: e.url,
    detail: e.detail,
  };
}
