import { HIT_CLASSIFICATIONS, PROXIES, type HitClassification, type HitProxy } from '../../core/classification/labels.js';
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
  classification: {
    type: ['string', 'null'],
    enum: [...HIT_CLASSIFICATIONS, null],
    description: 'Opens and clicks: `human`, or the kind of machine that made the hit. Null for other events.',
  },
  proxy: {
    type: ['string', 'null'],
    enum: [...PROXIES, null],
    description: 'Opens and clicks: the image proxy or gateway the hit came through; null when none.',
  },
  signals: {
    type: ['object', 'null'],
    description: 'What decided the labels; null for other events and for hits recorded before classification.',
    required: ['version', 'rules', 'method', 'ip_list'],
    properties: {
      version: { type: 'integer' },
      rules: { type: 'array', items: { type: 'string' } },
      method: { type: 'string', enum: ['GET', 'HEAD'] },
      ip_list: { type: ['string', 'null'] },
    },
  },
} as const;

export const eventSchema = { $id: 'Event', type: 'object', required: Object.keys(eventProperties), properties: eventProperties } as const;

export const eventFilterQueryProperties = {
  ...pageQueryProperties,
  type: { type: 'string', enum: EMAIL_EVENT_TYPES },
  since: { type: 'string', format: 'date-time', description: 'events at or after this time' },
  until: { type: 'string', format: 'date-time', description: 'events before this time' },
  classification: {
    type: 'string',
    enum: [...HIT_CLASSIFICATIONS, 'machine'],
    description: 'opens and clicks with this label; `machine`: every label but `human`',
  },
  proxy: { type: 'string', enum: [...PROXIES, 'none'], description: 'opens and clicks through this proxy; `none`: through none' },
} as const;

export interface EventFilterQuery {
  limit: number;
  after?: string;
  type?: EmailEventType;
  since?: string;
  until?: string;
  classification?: HitClassification | 'machine';
  proxy?: HitProxy | 'none';
}

export function eventFilter(q: EventFilterQuery) {
  return {
    type: q.type,
    since: q.since === undefined ? undefined : Date.parse(q.since),
    until: q.until === undefined ? undefined : Date.parse(q.until),
    classification: q.classification,
    proxy: q.proxy,
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
    classification: e.classification,
    proxy: e.proxy,
    signals: e.signals === null ? null : { version: e.signals.version, rules: e.signals.rules, method: e.signals.method, ip_list: e.signals.ipList },
  };
}
