import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf } from '../../../core/analytics/rollups.js';
import { HOUR_MS } from '../../../core/time.js';
import { classifyUserAgent } from '../../../core/analytics/user-agents.js';
import type { Email, EmailEvent, EmailTag } from '../../../core/model.js';
import type { AnalyticsCounts, AnalyticsFilter, ClientStats, LinkStats } from '../../../ports/analytics.js';
import type { Store, TrackingHit } from '../../../ports/store.js';
import { newId } from '../../../lib/ids.js';
import { hit, newEmail } from './store.contract.js';

/**
 * Analytics store contract, on both backends: the rollups, maintained in the event-writing
 * transactions, always equal a recount from the raw events (property test), and the unique counts
 * are exact.
 */
const T0 = 1_760_000_000_000 - (1_760_000_000_000 % HOUR_MS);
const LINKS = [
  { index: 0, url: 'https://example.com/a', label: 'A', location: 'html' as const },
  { index: 1, url: 'https://example.com/b', label: 'B', location: 'html' as const },
  { index: 2, url: 'https://example.com/c', label: 'C', location: 'text' as const },
];
const A = { linkIndex: 0, url: 'https://example.com/a' };
const UAS = [
  null,
  'Mozilla/5.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
];
const TAGS: EmailTag[] = [
  { name: 'campaign', value: 'nov' },
  { name: 'campaign', value: 'dec' },
  { name: 'kind', value: 'a:b' },
];

export function defineAnalyticsContract(name: string, open: () => Promise<Store>): void {
  describe(`Analytics store contract: ${name}`, () => {
    let store: Store;

    // One store for the suite: the property tests make a project per run.
    beforeAll(async () => {
      store = await open();
      await store.migrate();
    });
    afterAll(() => store.close());

    async function project(): Promise<string> {
      const id = newId();
      await store.projects.create({ id, name: `p ${id.slice(-4)}`, isDefault: false, createdAt: T0 });
      return id;
    }

    async function email(pid: string, createdAt: number, tags: EmailTag[], status: 'captured' | 'queued'): Promise<Email> {
      const r = await store.emails.create(
        newEmail(pid, { createdAt, tags, status, links: LINKS, sentAt: status === 'captured' ? createdAt : null }),
      );
      if (r.outcome !== 'created') throw new Error(r.outcome);
      return r.email;
    }

    it('counts sent, opened/opens and clicked/clicks with exact unique counts and rates inputs', async () => {
      const pid = await project();
      const a = await email(pid, T0, [TAGS[0]!], 'captured');
      const b = await email(pid, T0 + 10, [TAGS[1]!], 'captured');
      const q = await email(pid, T0 + 20, [TAGS[0]!], 'queued');
      expect(await store.analytics.summary(pid, {})).toEqual({ sent: 2, opened: 0, opens: 0, clicked: 0, clicks: 0 });

      await store.events.appendHits([hit(a.id, 'opened', T0 + 100), hit(a.id, 'opened', T0 + 101), hit(b.id, 'clicked', T0 + 102, A)]);
      await store.events.appendHits([hit(a.id, 'opened', T0 + 200), hit(a.id, 'clicked', T0 + 201, A), hit(a.id, 'clicked', T0 + 202, A)]);
      await store.emails.recordDelivery({ emailId: q.id, at: T0 + 300, status: 'sent', messageId: '<m@x>' });
      // a repeated report changes nothing
      await store.emails.recordDelivery({ emailId: q.id, at: T0 + 301, status: 'sent', messageId: '<m@x>' });

      expect(await store.analytics.summary(pid, {})).toEqual({ sent: 3, opened: 1, opens: 3, clicked: 2, clicks: 3 });
      expect(await store.analytics.summary(pid, { tag: 'campaign:nov' })).toEqual({ sent: 2, opened: 1, opens: 3, clicked: 1, clicks: 2 });
      expect(await store.analytics.summary(pid, { tag: 'campaign:dec' })).toEqual({ sent: 1, opened: 0, opens: 0, clicked: 1, clicks: 1 });
      expect(await store.analytics.summary(pid, { tag: 'campaign:none' })).toEqual({ sent: 0, opened: 0, opens: 0, clicked: 0, clicks: 0 });
      expect(await store.analytics.summary(pid, { from: T0 + HOUR_MS })).toEqual({ sent: 0, opened: 0, opens: 0, clicked: 0, clicks: 0 });
      expect(await store.analytics.summary(pid, { domainId: newId() })).toMatchObject({ sent: 0 });
      expect(await store.analytics.summary(pid, { domainId: '' })).toMatchObject({ sent: 3 });
      // another project sees nothing
      expect(await store.analytics.summary(await project(), {})).toMatchObject({ sent: 0, opens: 0 });

      const links = await store.analytics.links(pid, {});
      expect(links).toEqual([{ linkIndex: 0, url: LINKS[0]!.url, label: 'A', clicks: 3, uniqueClicks: 2 }]);
      expect(await store.analytics.links(pid, { emailId: a.id })).toEqual([
        { linkIndex: 0, url: LINKS[0]!.url, label: 'A', clicks: 2, uniqueClicks: 1 },
      ]);
      expect(await store.analytics.links(pid, { emailId: newId() })).toEqual([]);
    });

    it('drops hits of unknown emails from the rollups, like their events', async () => {
      const pid = await project();
      const a = await email(pid, T0, [], 'captured');
      await store.events.appendHits([hit(newId(), 'opened', T0), hit(newId(), 'clicked', T0), hit(a.id, 'clicked', T0)]);
      expect(await store.analytics.summary(pid, {})).toEqual({ sent: 1, opened: 0, opens: 0, clicked: 1, clicks: 1 });
    });

    const emailArb = fc.record({
      hour: fc.integer({ min: 0, max: 3 }),
      tags: fc.subarray(TAGS),
      status: fc.constantFrom('captured' as const, 'queued' as const),
      delivery: fc.constantFrom('none' as const, 'sent' as const, 'failed' as const),
    });
    const hitArb = fc.record({
      email: fc.nat(),
      type: fc.constantFrom('opened' as const, 'clicked' as const),
      link: fc.integer({ min: 0, max: 3 }),
      unknown: fc.boolean(),
      ua: fc.constantFrom(...UAS),
    });

    it('rollups always equal a recount from the raw events (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(emailArb, { minLength: 1, maxLength: 5 }),
          fc.array(fc.array(hitArb, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }),
          async (specs, batches) => {
            const pid = await project();
            const emails: Email[] = [];
            for (const [i, s] of specs.entries()) {
              const e = await email(pid, T0 + s.hour * HOUR_MS + i, s.tags, s.status);
              if (s.status === 'queued' && s.delivery !== 'none') {
                await store.emails.recordDelivery({ emailId: e.id, at: T0 + 5 * HOUR_MS, status: s.delivery });
              }
              emails.push(e);
            }
            let t = T0 + 6 * HOUR_MS;
            for (const batch of batches) {
              const hits: TrackingHit[] = batch.map((h) => {
                const e = emails[h.email % emails.length]!;
                const link = h.link < 3 ? LINKS[h.link]! : null;
                return hit(h.unknown && h.type === 'opened' ? newId() : e.id, h.type, t++, {
                  linkIndex: h.type === 'clicked' ? (link?.index ?? null) : null,
                  url: h.type === 'clicked' ? (link?.url ?? null) : null,
                  userAgent: h.ua,
                });
              });
              await store.events.appendHits(hits);
            }
            const events = await store.events.list(pid, { limit: 10_000 });
            const filters: AnalyticsFilter[] = [
              {},
              ...TAGS.map((tg) => ({ tag: `${tg.name}:${tg.value}` })),
              { from: T0 + HOUR_MS },
              { to: T0 + 2 * HOUR_MS, tag: 'campaign:nov' },
              { from: T0 + HOUR_MS, to: T0 + 3 * HOUR_MS },
            ];
            for (const f of filters) {
              expect(await store.analytics.summary(pid, f)).toEqual(recount(emails, events, f));
              expect(await store.analytics.links(pid, f)).toEqual(recountLinks(emails, events, f));
              expect(await store.analytics.clients(pid, f)).toEqual(recountClients(emails, events, f));
              const hourly = await store.analytics.hourly(pid, f);
              const expectedHours = [0, 1, 2, 3]
                .map((h) => T0 + h * HOUR_MS)
                .map((bucket) => ({ bucket, ...recount(emails, events, { ...f, from: Math.max(bucket, f.from ?? 0), to: Math.min(bucket + HOUR_MS, f.to ?? Infinity) }) }))
                .filter((r) => (f.from ?? 0) <= r.bucket && r.bucket < (f.to ?? Infinity))
                .filter((r) => r.sent + r.opens + r.clicks > 0);
              expect(hourly).toEqual(expectedHours);
            }
            for (const e of emails) {
              expect(await store.analytics.links(pid, { emailId: e.id })).toEqual(recountLinks([e], events, {}));
            }
          },
        ),
        { numRuns: 25 },
      );
    }, 120_000);
  });
}

function inFilter(e: Email, f: AnalyticsFilter): boolean {
  const bucket = bucketOf(e.createdAt);
  if (f.from !== undefined && bucket < f.from) return false;
  if (f.to !== undefined && bucket >= f.to) return false;
  if (f.tag !== undefined && !e.tags.some((t) => `${t.name}:${t.value}` === f.tag)) return false;
  return true;
}

function recount(emails: Email[], events: EmailEvent[], f: AnalyticsFilter): AnalyticsCounts {
  const c = { sent: 0, opened: 0, opens: 0, clicked: 0, clicks: 0 };
  for (const e of emails.filter((x) => inFilter(x, f))) {
    const mine = events.filter((ev) => ev.emailId === e.id);
    const opens = mine.filter((ev) => ev.type === 'opened').length;
    const clicks = mine.filter((ev) => ev.type === 'clicked').length;
    c.sent += mine.some((ev) => ev.type === 'sent') ? 1 : 0;
    c.opened += opens > 0 ? 1 : 0;
    c.opens += opens;
    c.clicked += clicks > 0 ? 1 : 0;
    c.clicks += clicks;
  }
  return c;
}

function recountLinks(emails: Email[], events: EmailEvent[], f: AnalyticsFilter): LinkStats[] {
  const out = new Map<string, LinkStats & { emails: Set<string> }>();
  for (const e of emails.filter((x) => inFilter(x, f))) {
    for (const ev of events) {
      if (ev.emailId !== e.id || ev.type !== 'clicked' || ev.linkIndex === null || ev.url === null) continue;
      const key = `${ev.linkIndex} ${ev.url}`;
      let s = out.get(key);
      if (s === undefined) {
        const label = e.links.find((l) => l.index === ev.linkIndex && l.url === ev.url)?.label ?? '';
        out.set(key, (s = { linkIndex: ev.linkIndex, url: ev.url, label, clicks: 0, uniqueClicks: 0, emails: new Set() }));
      }
      s.clicks += 1;
      s.emails.add(e.id);
    }
  }
  return [...out.values()]
    .map(({ emails: set, ...s }) => ({ ...s, uniqueClicks: set.size }))
    .sort((a, b) => b.clicks - a.clicks || a.linkIndex - b.linkIndex || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}

function recountClients(emails: Email[], events: EmailEvent[], f: AnalyticsFilter): ClientStats[] {
  const ids = new Set(emails.filter((x) => inFilter(x, f)).map((e) => e.id));
  const out = new Map<string, ClientStats>();
  for (const ev of events) {
    if (!ids.has(ev.emailId) || ev.type !== 'opened') continue;
    const c = classifyUserAgent(ev.userAgent);
    const key = `${c.client} ${c.device} ${c.os}`;
    const s = out.get(key);
    if (s === undefined) out.set(key, { client: c.client, device: c.device, os: c.os, opens: 1 });
    else s.opens += 1;
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...out.values()].sort((a, b) => b.opens - a.opens || cmp(a.client, b.client) || cmp(a.device, b.device) || cmp(a.os, b.os));
}
