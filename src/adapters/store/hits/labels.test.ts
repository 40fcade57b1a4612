import { describe, expect, it } from 'vitest';
import type { EmailRollupState } from '../../../core/analytics/rollups.js';
import { decodeSignals, encodeSignals } from '../../../core/classification/signals.js';
import type { TrackingHit } from '../../../core/model.js';
import { newId } from '../../../lib/ids.js';
import { EMAIL_STATE_COLUMNS, emailStateRow } from './batch.js';
import type { EmailStateRow } from './batch.js';
import { CONTEXT_WINDOW_MS } from '../../../core/classification/context.js';
import { STORED_HIT_COLUMNS, contextRanges, createdAtOf, labelBatch, ownLabels, storedHitRow } from './labels.js';
import type { StoredHitRow } from './labels.js';

const GMAIL_PROXY = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
const T0 = Date.UTC(2026, 10, 2, 9);
const emailId = newId();
const states = new Map<string, EmailRollupState>([
  [emailId, { emailId, projectId: newId(), createdAt: T0, domainId: null, tags: [], openCount: 1, clickCount: 0, machineOpenCount: 0, machineClickCount: 0, links: [] }],
]);
const storedOpen: StoredHitRow = {
  id: newId(),
  email_id: emailId,
  type: 'opened',
  created_at: T0 + 60_000,
  ip: '66.249.84.1',
  user_agent: GMAIL_PROXY,
  link_index: null,
  url: null,
  classification: 'human',
  proxy: 'google',
  signals: encodeSignals({ version: 1, rules: ['ua_gmail_image_proxy'], method: 'GET', ipList: 'corp_gateway' }),
};
const click = (at: number): TrackingHit => ({
  id: newId(),
  emailId,
  type: 'clicked',
  createdAt: at,
  ip: storedOpen.ip,
  userAgent: GMAIL_PROXY,
  referer: null,
  linkIndex: 0,
  url: 'https://example.com/a',
});

describe('labelBatch', () => {
  it('relabels a stored hit with the rules it was stored with, then the context rules, and keeps its facts', () => {
    const { relabels, totals } = labelBatch([click(T0 + 60_500)], states, [storedOpen]);
    expect(relabels).toHaveLength(1);
    expect(relabels[0]).toMatchObject({
      id: storedOpen.id,
      label: { classification: 'security_scanner', proxy: 'google', rules: ['ua_gmail_image_proxy', 'open_click_same_client'] },
      human: false,
      moves: true,
    });
    expect(decodeSignals(relabels[0]!.signals)).toEqual({ version: 1, rules: ['ua_gmail_image_proxy', 'open_click_same_client'], method: 'GET', ipList: 'corp_gateway' });
    expect(totals).toEqual([expect.objectContaining({ emailId, machineOpens: 1, recompute: true })]);
  });

  it('leaves a stored hit alone when nothing of the batch is near it, and reads no stored hit twice', () => {
    expect(labelBatch([click(T0 + 3_600_000)], states, [storedOpen]).relabels).toEqual([]);
    const own = click(T0 + 60_500);
    // A stored row with a batch hit's id is that hit, not a second one beside it.
    expect(labelBatch([own], states, [{ ...storedOpen, id: own.id }]).relabels).toEqual([]);
  });
});

describe('contextRanges', () => {
  const row = (lastHumanHitAt: number | null): EmailStateRow => ({
    id: emailId,
    project_id: newId(),
    created_at: T0,
    domain_id: null,
    tags: '[]',
    links: '[]',
    open_count: 2,
    click_count: 1,
    machine_open_count: 1,
    machine_click_count: 1,
    last_event_at: T0 + 60_000,
    last_human_hit_at: lastHumanHitAt,
  });
  const machineClick: TrackingHit = { ...click(T0 + 61_000), method: 'HEAD' };
  const ranges = (hits: TrackingHit[], r: EmailStateRow) => contextRanges(hits, ownLabels(hits, createdAtOf([r])), [r]);

  it("reads nothing back for a machine's hits when no person's hit is within the window", () => {
    expect(ranges([machineClick], row(null))).toEqual([]);
    expect(ranges([machineClick], row(machineClick.createdAt - CONTEXT_WINDOW_MS - 1))).toEqual([]);
  });

  it("reads the window back when a person's hit may be in it, or a hit of the batch is a person's", () => {
    const window = { emailId, from: machineClick.createdAt - CONTEXT_WINDOW_MS, to: machineClick.createdAt + CONTEXT_WINDOW_MS };
    expect(ranges([machineClick], row(machineClick.createdAt - CONTEXT_WINDOW_MS))).toEqual([expect.objectContaining(window)]);
    const person: TrackingHit = { ...machineClick, method: 'GET', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15' };
    expect(ranges([person], row(null))).toEqual([expect.objectContaining(window)]);
  });
});

describe('rows read as arrays', () => {
  it('name each value by its column, in the order the columns are selected', () => {
    const columns = (list: string) => list.split(',').map((c) => c.trim());
    const values = (list: string) => columns(list).map((c) => `value of ${c}`);
    expect(Object.entries(storedHitRow(values(STORED_HIT_COLUMNS)))).toEqual(columns(STORED_HIT_COLUMNS).map((c) => [c, `value of ${c}`]));
    expect(Object.entries(emailStateRow(values(EMAIL_STATE_COLUMNS)))).toEqual(columns(EMAIL_STATE_COLUMNS).map((c) => [c, `value of ${c}`]));
  });
});
