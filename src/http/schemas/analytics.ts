import { UNIQUE_FIGURES, unavailableFigures } from '../../services/analytics.js';
import type { AnalyticsQuery, CountsWithRates } from '../../services/analytics.js';

/** The filters every analytics route takes. */
export const analyticsFilterProperties = {
  from: { type: 'string', description: 'ISO 8601; emails sent (created) in hours starting at or after it' },
  to: { type: 'string', description: 'ISO 8601, exclusive' },
  domain_id: { type: 'string', format: 'uuid' },
  tag: { type: 'string', minLength: 3, maxLength: 512, description: 'name:value' },
} as const;

export interface AnalyticsFilterQuery {
  from?: string;
  to?: string;
  domain_id?: string;
  tag?: string;
}

export function analyticsQuery(q: AnalyticsFilterQuery): AnalyticsQuery {
  return { from: q.from, to: q.to, domainId: q.domain_id, tag: q.tag };
}

const counts = [
  'sent',
  'opened',
  'opens',
  'clicked',
  'clicks',
  'human_opened',
  'human_opens',
  'machine_opens',
  'human_clicked',
  'human_clicks',
  'machine_clicks',
  'aggregate_only_sent',
] as const;
const rates = ['open_rate', 'click_rate', 'click_to_open_rate', 'human_open_rate', 'human_click_rate', 'human_click_to_open_rate'] as const;

const descriptions: Partial<Record<(typeof counts)[number] | (typeof rates)[number], string>> = {
  opened: 'emails opened at least once, by anyone or anything',
  human_opened: "emails opened by a person: a person's open, or a person's click (which means the message was read)",
  human_clicked: 'emails a person clicked at least once',
  machine_opens: "opens labelled a machine's: Apple Mail Privacy Protection, prefetch, security scanners…",
  machine_clicks: "clicks labelled a machine's: security scanners, link previews, prefetch…",
  human_open_rate: 'human_opened / sent',
  human_click_rate: 'human_clicked / sent',
  human_click_to_open_rate: 'human_clicked / human_opened',
  aggregate_only_sent:
    'of sent, the emails sent in the aggregate-only mode: their opens and clicks are in the totals, in no unique count; the rates of unique counts are over sent - aggregate_only_sent',
};

export const countsSchema = {
  type: 'object',
  required: [...counts, ...rates, 'unavailable'],
  properties: {
    ...Object.fromEntries(counts.map((c) => [c, { type: 'integer', ...(descriptions[c] && { description: descriptions[c] }) }])),
    ...Object.fromEntries(rates.map((r) => [r, { type: 'number', ...(descriptions[r] && { description: descriptions[r] }) }])),
    unavailable: {
      type: 'array',
      items: { type: 'string', enum: [...UNIQUE_FIGURES] },
      description: 'figures that mean nothing here: the unique counts and their rates when every email sent was aggregate-only (they read 0)',
    },
  },
} as const;

export function countsJson(c: CountsWithRates) {
  return {
    sent: c.sent,
    opened: c.opened,
    opens: c.opens,
    clicked: c.clicked,
    clicks: c.clicks,
    human_opened: c.humanOpened,
    human_opens: c.humanOpens,
    machine_opens: c.opens - c.humanOpens,
    human_clicked: c.humanClicked,
    human_clicks: c.humanClicks,
    machine_clicks: c.clicks - c.humanClicks,
    open_rate: c.openRate,
    click_rate: c.clickRate,
    click_to_open_rate: c.clickToOpenRate,
    human_open_rate: c.humanOpenRate,
    human_click_rate: c.humanClickRate,
    human_click_to_open_rate: c.humanClickToOpenRate,
    aggregate_only_sent: c.aggregateOnlySent,
    unavailable: unavailableFigures(c),
  };
}
