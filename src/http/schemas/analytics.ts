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

const counts = ['sent', 'opened', 'opens', 'clicked', 'clicks'] as const;
const rates = ['open_rate', 'click_rate', 'click_to_open_rate'] as const;

export const countsSchema = {
  type: 'object',
  required: [...counts, ...rates],
  properties: {
    ...Object.fromEntries(counts.map((c) => [c, { type: 'integer' }])),
    ...Object.fromEntries(rates.map((r) => [r, { type: 'number' }])),
  },
} as const;

export function countsJson(c: CountsWithRates) {
  return {
    sent: c.sent,
    opened: c.opened,
    opens: c.opens,
    clicked: c.clicked,
    clicks: c.clicks,
    open_rate: c.openRate,
    click_rate: c.clickRate,
    click_to_open_rate: c.clickToOpenRate,
  };
}
