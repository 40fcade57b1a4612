import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf } from '../../../core/analytics/rollups.js';
import { HOUR_MS } from '../../../core/time.js';
import { classifyUserAgent } from '../../../core/analytics/user-agents.js';
import { contextLabels } from '../../../core/classification/context.js';
import type { ContextHit } from '../../../core/classification/labels.js';
import { classifyHit } from '../../../core/classification/rules.js';
import { isTrapClick } from '../../../core/classification/trap.js';
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
  'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
  'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
];
const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const GMAIL_PROXY = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
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
      expect(await store.analytics.summary(pid, {})).toEqual(totals({ sent: 2 }));

      await store.events.appendHits([hit(a.id, 'opened', T0 + 100), hit(a.id, 'opened', T0 + 101), hit(b.id, 'clicked', T0 + 102, A)]);
      await store.events.appendHits([hit(a.id, 'opened', T0 + 200), hit(a.id, 'clicked', T0 + 201, A), hit(a.id, 'clicked', T0 + 202, A)]);
      await store.emails.recordDelivery({ emailId: q.id, at: T0 + 300, status: 'sent', messageId: '<m@x>' });
      // a repeated report changes nothing
      await store.emails.recordDelivery({ emailId: q.id, at: T0 + 301, status: 'sent', messageId: '<m@x>' });

      expect(await store.analytics.summary(pid, {})).toMatchObject({ sent: 3, opened: 1, opens: 3, clicked: 2, clicks: 3 });
      expect(await store.analytics.summary(pid, { tag: 'campaign:nov' })).toMatchObject({ sent: 2, opened: 1, opens: 3, clicked: 1, clicks: 2 });
      expect(await store.analytics.summary(pid, { tag: 'campaign:dec' })).toMatchObject({ sent: 1, opened: 0, opens: 0, clicked: 1, clicks: 1 });
      expect(await store.analytics.summary(pid, { tag: 'campaign:none' })).toEqual(totals({}));
      expect(await store.analytics.summary(pid, { from: T0 + HOUR_MS })).toEqual(totals({}));
      expect(await store.analytics.summary(pid, { domainId: newId() })).toMatchObject({ sent: 0 });
      expect(await store.analytics.summary(pid, { domainId: '' })).toMatchObject({ sent: 3 });
      // another project sees nothing
      expect(await store.analytics.summary(await project(), {})).toMatchObject({ sent: 0, opens: 0 });

      const links = await store.analytics.links(pid, {});
      expect(links).toMatchObject([{ linkIndex: 0, url: LINKS[0]!.url, label: 'A', clicks: 3, uniqueClicks: 2 }]);
      expect(await store.analytics.links(pid, { emailId: a.id })).toMatchObject([
        { linkIndex: 0, url: LINKS[0]!.url, label: 'A', clicks: 2, uniqueClicks: 1 },
      ]);
      expect(await store.analytics.links(pid, { emailId: newId() })).toEqual([]);
    });

    it('drops hits of unknown emails from the rollups, like their events', async () => {
      const pid = await project();
      const a = await email(pid, T0, [], 'captured');
      await store.events.appendHits([hit(newId(), 'opened', T0), hit(newId(), 'clicked', T0), hit(a.id, 'clicked', T0)]);
      expect(await store.analytics.summary(pid, {})).toMatchObject({ sent: 1, opened: 0, opens: 0, clicked: 1, clicks: 1 });
    });

    it("splits every count into a person's and a machine's, and a person's click makes the email opened by a person", async () => {
      const pid = await project();
      const a = await email(pid, T0, [TAGS[0]!], 'captured');
      const b = await email(pid, T0 + 1, [], 'captured');
      const minute = 60_000;
      // a: Apple's proxy prefetches the pixel (a machine's open), a person clicks an hour later.
      await store.events.appendHits([hit(a.id, 'opened', T0 + 2_000, { userAgent: 'Mozilla/5.0', ip: '17.58.0.1' })]);
      expect(await store.analytics.summary(pid, {})).toMatchObject({ opened: 1, humanOpened: 0, opens: 1, humanOpens: 0 });
      await store.events.appendHits([hit(a.id, 'clicked', T0 + 60 * minute, { ...A, userAgent: BROWSER, ip: '198.51.100.4' })]);
      // b: Gmail's image proxy (a person reading, seen through the proxy), and a HEAD link check.
      await store.events.appendHits([
        hit(b.id, 'opened', T0 + 30 * minute, { userAgent: GMAIL_PROXY, ip: '66.249.84.1' }),
        hit(b.id, 'clicked', T0 + 90 * minute, { ...A, method: 'HEAD', userAgent: null, ip: '192.0.2.9' }),
      ]);
      expect(await store.analytics.summary(pid, {})).toEqual(
        totals({ sent: 2, opened: 2, opens: 2, clicked: 2, clicks: 2, humanOpened: 2, humanOpens: 1, humanClicked: 1, humanClicks: 1 }),
      );
      expect(await store.analytics.summary(pid, { tag: 'campaign:nov' })).toEqual(
        totals({ sent: 1, opened: 1, opens: 1, clicked: 1, clicks: 1, humanOpened: 1, humanOpens: 0, humanClicked: 1, humanClicks: 1 }),
      );
      expect(await store.analytics.links(pid, {})).toEqual([
        { linkIndex: 0, url: A.url, label: 'A', clicks: 2, uniqueClicks: 2, humanClicks: 1, humanUniqueClicks: 1 },
      ]);
      const ea = (await store.emails.get(pid, a.id))!;
      expect(ea).toMatchObject({ openCount: 1, machineOpenCount: 1, clickCount: 1, machineClickCount: 0 });
      expect([ea.openedAt, ea.humanOpenedAt, ea.humanClickedAt]).toEqual([T0 + 2_000, T0 + 60 * minute, T0 + 60 * minute]);
      const events = await store.events.list(pid, { emailId: b.id, limit: 10 });
      expect(events.find((e) => e.type === 'opened')).toMatchObject({ classification: 'human', proxy: 'google' });
      expect(events.find((e) => e.type === 'clicked')?.classification).not.toBe('human');
      expect(events.find((e) => e.type === 'clicked')?.signals).toMatchObject({ method: 'HEAD' });
      expect(await store.events.list(pid, { classification: 'machine', limit: 10 })).toHaveLength(2);
      expect(await store.events.list(pid, { proxy: 'google', limit: 10 })).toHaveLength(1);
      expect((await store.events.list(pid, { classification: 'human', limit: 10 })).map((e) => e.type).sort()).toEqual(['clicked', 'opened']);
    });

    it('relabels a stored click once a later batch shows the burst it was part of, and moves its counts', async () => {
      const pid = await project();
      const a = await email(pid, T0, [], 'captured');
      const at = T0 + 5 * 60_000;
      const scanner = { userAgent: BROWSER, ip: '192.0.2.50' };
      // A scanner follows every link within half a second, one hit per batch.
      for (const [i, link] of LINKS.entries()) {
        await store.events.appendHits([hit(a.id, 'clicked', at + i * 150, { linkIndex: link.index, url: link.url, ...scanner })]);
      }
      const events = await store.events.list(pid, { limit: 10 });
      expect(events.filter((e) => e.type === 'clicked').map((e) => e.classification)).toEqual(['security_scanner', 'security_scanner', 'security_scanner']);
      expect(await store.analytics.summary(pid, {})).toEqual(totals({ sent: 1, clicked: 1, clicks: 3 }));
      expect(await store.emails.get(pid, a.id)).toMatchObject({ machineClickCount: 3, humanClickedAt: null, humanOpenedAt: null });
      expect((await store.analytics.links(pid, {})).map((l) => [l.humanClicks, l.humanUniqueClicks])).toEqual([
        [0, 0],
        [0, 0],
        [0, 0],
      ]);
    });

    it('counts aggregate-only hits under their cohort, in totals only, and stores no event for them', async () => {
      const pid = await project();
      const tags = [TAGS[0]!, TAGS[0]!];
      const cohort = await store.emails.aggregateCohort({ projectId: pid, domainId: null, tags, createdAt: T0 + 5 });
      expect(await store.emails.aggregateCohort({ projectId: pid, domainId: null, tags: [TAGS[0]!], createdAt: T0 + 60_000 })).toBe(cohort);
      expect(await store.emails.aggregateCohort({ projectId: pid, domainId: null, tags: [], createdAt: T0 })).not.toBe(cohort);
      const r = await store.emails.create(newEmail(pid, { createdAt: T0, tags: [TAGS[0]!], status: 'captured', sentAt: T0, aggregateOnly: true }));
      if (r.outcome !== 'created') throw new Error(r.outcome);
      const later = T0 + HOUR_MS;
      await store.events.appendHits([
        hit(cohort, 'opened', later, { aggregate: true, userAgent: UAS[2]! }),
        hit(cohort, 'opened', later + 1, { aggregate: true, userAgent: 'Mozilla/5.0' }),
        hit(cohort, 'clicked', later + 2, { aggregate: true, ...A, userAgent: BROWSER }),
        hit(newId(), 'clicked', later + 3, { aggregate: true, ...A, userAgent: BROWSER }),
      ]);
      expect(await store.analytics.summary(pid, { tag: 'campaign:nov' })).toEqual(
        totals({ sent: 1, aggregateOnlySent: 1, opens: 2, humanOpens: 1, clicks: 1, humanClicks: 1 }),
      );
      expect(await store.analytics.links(pid, {})).toEqual([
        { linkIndex: 0, url: A.url, label: '', clicks: 1, uniqueClicks: 0, humanClicks: 1, humanUniqueClicks: 0 },
      ]);
      expect((await store.analytics.clients(pid, {})).reduce((n, c) => n + c.opens, 0)).toBe(2);
      expect((await store.events.list(pid, { limit: 10 })).map((e) => e.type)).toEqual(['sent']);
      expect(await store.emails.get(pid, r.email.id)).toMatchObject({ openCount: 0, clickCount: 0, aggregateOnly: true });
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
      ip: fc.constantFrom('192.0.2.1', '192.0.2.2', null),
      method: fc.constantFrom('GET' as const, 'GET' as const, 'HEAD' as const),
      ipList: fc.constantFrom(null, null, null, 'security_scanner', 'proxy:google'),
      /** Milliseconds after the previous hit: within a burst, or well apart. */
      gap: fc.constantFrom(0, 300, 900, 2_500, 60_000),
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
            const written: TrackingHit[] = [];
            for (const batch of batches) {
              const hits: TrackingHit[] = batch.map((h) => {
                const e = emails[h.email % emails.length]!;
                const link = h.link < 3 ? LINKS[h.link]! : null;
                t += h.gap + 1;
                return hit(h.unknown && h.type === 'opened' ? newId() : e.id, h.type, t, {
                  linkIndex: h.type === 'clicked' ? (link?.index ?? null) : null,
                  url: h.type === 'clicked' ? (link?.url ?? null) : null,
                  userAgent: h.ua,
                  ip: h.ip,
                  method: h.method,
                  ipList: h.ipList,
                });
              });
              written.push(...hits);
              await store.events.appendHits(hits);
            }
            const events = await store.events.list(pid, { limit: 10_000 });
            // Labelled batch by batch, they are what labelling every hit at once gives.
            expect(labelsOf(events)).toEqual(labelAtOnce(written, emails));
            for (const e of emails) {
              const mine = events.filter((ev) => ev.emailId === e.id);
              const human = mine.filter((ev) => ev.classification === 'human');
              const first = (list: EmailEvent[]) => (list.length === 0 ? null : Math.min(...list.map((ev) => ev.createdAt)));
              expect(await store.emails.get(pid, e.id)).toMatchObject({
                machineOpenCount: mine.filter((ev) => ev.type === 'opened' && ev.classification !== 'human').length,
                machineClickCount: mine.filter((ev) => ev.type === 'clicked' && ev.classification !== 'human').length,
                humanOpenedAt: first(human),
                humanClickedAt: first(human.filter((ev) => ev.type === 'clicked')),
              });
            }
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
                .filter((r) => r.sent + r.opens + r.clicks + r.humanOpened > 0);
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

function totals(c: Partial<AnalyticsCounts>): AnalyticsCounts {
  return { sent: 0, opened: 0, opens: 0, clicked: 0, clicks: 0, humanOpened: 0, humanOpens: 0, humanClicked: 0, humanClicks: 0, aggregateOnlySent: 0, ...c };
}

function recount(emails: Email[], events: EmailEvent[], f: AnalyticsFilter): AnalyticsCounts {
  const c = totals({});
  for (const e of emails.filter((x) => inFilter(x, f))) {
    const mine = events.filter((ev) => ev.emailId === e.id);
    const opens = mine.filter((ev) => ev.type === 'opened');
    const clicks = mine.filter((ev) => ev.type === 'clicked');
    const humanOpens = opens.filter((ev) => ev.classification === 'human').length;
    const humanClicks = clicks.filter((ev) => ev.classification === 'human').length;
    c.sent += mine.some((ev) => ev.type === 'sent') ? 1 : 0;
    c.opened += opens.length > 0 ? 1 : 0;
    c.opens += opens.length;
    c.clicked += clicks.length > 0 ? 1 : 0;
    c.clicks += clicks.length;
    c.humanOpened += humanOpens + humanClicks > 0 ? 1 : 0;
    c.humanOpens += humanOpens;
    c.humanClicked += humanClicks > 0 ? 1 : 0;
    c.humanClicks += humanClicks;
  }
  return c;
}

function labelsOf(events: EmailEvent[]): Record<string, string | null> {
  return Object.fromEntries(events.filter((e) => e.type === 'opened' || e.type === 'clicked').map((e) => [e.id, e.classification]));
}

/** Every hit of each email labelled in one go: its own rules, then the context rules over all of them. */
function labelAtOnce(hits: TrackingHit[], emails: Email[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const e of emails) {
    const mine = hits.filter((h) => h.emailId === e.id);
    const context: ContextHit[] = mine.map((h) => ({
      id: h.id,
      type: h.type,
      createdAt: h.createdAt,
      ip: h.ip,
      userAgent: h.userAgent,
      linkIndex: h.linkIndex,
      trap: isTrapClick(h),
      label: classifyHit({
        type: h.type,
        method: h.method ?? 'GET',
        userAgent: h.userAgent,
        ipList: h.ipList ?? null,
        sinceSentMs: h.createdAt - e.createdAt,
        trap: isTrapClick(h),
      }),
    }));
    const changed = contextLabels(context);
    for (const c of context) out[c.id] = (changed.get(c.id) ?? c.label).classification;
  }
  return out;
}

function recountLinks(emails: Email[], events: EmailEvent[], f: AnalyticsFilter): LinkStats[] {
  const out = new Map<string, LinkStats & { emails: Set<string>; humans: Set<string> }>();
  for (const e of emails.filter((x) => inFilter(x, f))) {
    for (const ev of events) {
      if (ev.emailId !== e.id || ev.type !== 'clicked' || ev.linkIndex === null || ev.url === null) continue;
      const key = `${ev.linkIndex} ${ev.url}`;
      let s = out.get(key);
      if (s === undefined) {
        const label = e.links.find((l) => l.index === ev.linkIndex && l.url === ev.url)?.label ?? '';
        s = { linkIndex: ev.linkIndex, url: ev.url, label, clicks: 0, uniqueClicks: 0, humanClicks: 0, humanUniqueClicks: 0, emails: new Set(), humans: new Set() };
        out.set(key, s);
      }
      s.clicks += 1;
      s.emails.add(e.id);
      if (ev.classification === 'human') {
        s.humanClicks += 1;
        s.humans.add(e.id);
      }
    }
  }
  return [...out.values()]
    .map(({ emails: set, humans, ...s }) => ({ ...s, uniqueClicks: set.size, humanUniqueClicks: humans.size }))
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
    const human = ev.classification === 'human' ? 1 : 0;
    if (s === undefined) out.set(key, { client: c.client, device: c.device, os: c.os, opens: 1, humanOpens: human });
    else {
      s.opens += 1;
      s.humanOpens += human;
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...out.values()].sort((a, b) => b.opens - a.opens || cmp(a.client, b.client) || cmp(a.device, b.device) || cmp(a.os, b.os));
}
