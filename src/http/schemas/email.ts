import type { Email, EmailTag, PixelPlacement } from '../../core/model.js';
import type { SendEmailInput } from '../../services/emails.js';
import { iso } from './common.js';

const nullableString = { type: ['string', 'null'] } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const addresses = { type: 'array', items: { type: 'string' } } as const;
const addressInput = {
  anyOf: [
    { type: 'string', minLength: 1, maxLength: 998 },
    { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 998 } },
  ],
} as const;
const tag = {
  type: 'object',
  required: ['name', 'value'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,256}$' },
    value: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,256}$' },
  },
} as const;

export const sendEmailBody = {
  type: 'object',
  required: ['from', 'to', 'subject'],
  additionalProperties: false,
  properties: {
    from: { type: 'string', minLength: 1, maxLength: 998 },
    to: addressInput,
    cc: addressInput,
    bcc: addressInput,
    reply_to: addressInput,
    subject: { type: 'string', maxLength: 998 },
    html: { type: 'string' },
    text: { type: 'string' },
    headers: { type: 'object', additionalProperties: { type: 'string', maxLength: 998 }, maxProperties: 50 },
    tags: { type: 'array', maxItems: 50, items: tag },
    tracking: {
      type: 'object',
      additionalProperties: false,
      properties: {
        open: { type: 'boolean' },
        click: { anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['html', 'text'] }] },
        trap_link: {
          type: 'boolean',
          description: "a hidden link no person sees, in the tracked HTML: its click marks the burst's clicks security_scanner (default: the domain's setting, else false)",
        },
        aggregate_only: {
          type: 'boolean',
          description:
            "count this email's opens and clicks in aggregate only: its tokens name no email, and no per-recipient event, counter, IP address, user agent or webhook is kept (default: the domain's setting, else false)",
        },
      },
    },
    pixel: { type: 'string', enum: ['bottom', 'top', 'auto'] },
  },
} as const;

/** POST /v1/emails's body, as sendEmailBody admits it. */
export interface SendEmailBody {
  from: string;
  to: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  reply_to?: string | string[];
  subject: string;
  html?: string;
  text?: string;
  headers?: Record<string, string>;
  tags?: EmailTag[];
  tracking?: { open?: boolean; click?: boolean | 'html' | 'text'; trap_link?: boolean; aggregate_only?: boolean };
  pixel?: PixelPlacement;
}

export function sendEmailInput(body: SendEmailBody): SendEmailInput {
  return {
    from: body.from,
    to: body.to,
    cc: body.cc,
    bcc: body.bcc,
    replyTo: body.reply_to,
    subject: body.subject,
    html: body.html,
    text: body.text,
    headers: body.headers,
    tags: body.tags,
    tracking: body.tracking && trackingInput(body.tracking),
    pixel: body.pixel,
  };
}

function trackingInput({ trap_link, aggregate_only, ...rest }: NonNullable<SendEmailBody['tracking']>): SendEmailInput['tracking'] {
  return { ...rest, ...(trap_link !== undefined && { trapLink: trap_link }), ...(aggregate_only !== undefined && { aggregateOnly: aggregate_only }) };
}

const emailProperties = {
  id: { type: 'string' },
  object: { type: 'string', const: 'email' },
  from: { type: 'string' },
  to: addresses,
  cc: addresses,
  bcc: addresses,
  reply_to: addresses,
  subject: { type: 'string' },
  html: nullableString,
  text: nullableString,
  headers: { type: 'object', additionalProperties: { type: 'string' } },
  tags: { type: 'array', items: tag },
  tracking: {
    type: 'object',
    required: ['open', 'click', 'aggregate_only'],
    properties: {
      open: { type: 'boolean' },
      click: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
      aggregate_only: { type: 'boolean', description: 'its opens and clicks are counted in aggregate only: none appear on the email or in events' },
    },
  },
  links: {
    type: 'array',
    items: {
      type: 'object',
      required: ['index', 'url', 'label', 'location'],
      properties: {
        index: { type: 'integer' },
        url: { type: 'string' },
        label: { type: 'string' },
        location: { type: 'string', enum: ['html', 'vml', 'text'] },
      },
    },
  },
  status: { type: 'string', enum: ['queued', 'sent', 'captured', 'failed'] },
  status_detail: nullableString,
  message_id: nullableString,
  created_at: { type: 'string', format: 'date-time' },
  sent_at: nullableTime,
  opened_at: nullableTime,
  clicked_at: nullableTime,
  open_count: { type: 'integer' },
  click_count: { type: 'integer' },
  human_opened_at: { ...nullableTime, description: "first open or click by a person (a person's click means the message was read)" },
  human_clicked_at: { ...nullableTime, description: 'first click by a person' },
  human_open_count: { type: 'integer', description: "opens labelled a person's" },
  human_click_count: { type: 'integer', description: "clicks labelled a person's" },
  machine_open_count: { type: 'integer', description: "opens labelled a machine's (Apple Mail Privacy Protection, scanners, prefetch…)" },
  machine_click_count: { type: 'integer', description: "clicks labelled a machine's (security scanners, link previews…)" },
  last_event: nullableString,
  last_event_at: nullableTime,
} as const;

export const emailSchema = { $id: 'Email', type: 'object', required: Object.keys(emailProperties), properties: emailProperties } as const;

export function emailJson(e: Email) {
  return {
    id: e.id,
    object: 'email',
    from: e.from,
    to: e.to,
    cc: e.cc,
    bcc: e.bcc,
    reply_to: e.replyTo,
    subject: e.subject,
    html: e.html,
    text: e.text,
    headers: e.headers,
    tags: e.tags,
    tracking: { open: e.trackOpens, click: e.trackClicks, aggregate_only: e.aggregateOnly },
    links: e.links,
    status: e.status,
    status_detail: e.statusDetail,
    message_id: e.messageId,
    created_at: iso(e.createdAt),
    sent_at: iso(e.sentAt),
    opened_at: iso(e.openedAt),
    clicked_at: iso(e.clickedAt),
    open_count: e.openCount,
    click_count: e.clickCount,
    human_opened_at: iso(e.humanOpenedAt),
    human_clicked_at: iso(e.humanClickedAt),
    human_open_count: e.openCount - e.machineOpenCount,
    human_click_count: e.clickCount - e.machineClickCount,
    machine_open_count: e.machineOpenCount,
    machine_click_count: e.machineClickCount,
    last_event: e.lastEvent,
    last_event_at: iso(e.lastEventAt),
  };
}
