/**
 * Analytics benchmark: seeds BENCH_ANALYTICS_EMAILS emails (default events / 10) and
 * BENCH_ANALYTICS_EVENTS events (default 10,000,000) on SQLite and on PostgreSQL, then reports p50
 * and p95 of each analytics query, through the AnalyticsService (no HTTP). Goal: p95 ≤ 50 ms.
 *
 * Seeding is bulk SQL, NOT the tracking path: emails and events come from a recursive CTE (SQLite)
 * or generate_series (PostgreSQL), then the rollups are built by one GROUP BY per rollup table over
 * the seeded rows, with the same definitions as the per-batch deltas (send cohort hour, '' and
 * `name:value` tag rows, unique = distinct emails, and the human parts: an email is opened by a
 * person when it has a human open OR a human click). Every event carries the label the classifier
 * (src/core/classification/rules.ts) gives its type and user agent, see EVENT_KINDS. Before
 * measuring, the bench recounts the summary (human parts included), the links and the clients from
 * the raw events, and the emails' own counters, and stops if any differs from the store's answer.
 *
 *   npm run bench:analytics                         # both backends, 10 M events
 *   BENCH_ANALYTICS_EVENTS=1000000 npm run bench:analytics
 *   BENCH_ANALYTICS_ONLY=sqlite npm run bench:analytics
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../src/adapters/store/open-store.js';
import { classifyUserAgent } from '../src/core/analytics/user-agents.js';
import { classifyHit } from '../src/core/classification/rules.js';
import { AnalyticsService } from '../src/services/analytics.js';
import type { Store } from '../src/ports/store.js';
import { createBenchDatabase, postgresAdminUrl } from './postgres.js';

const EVENTS = Number(process.env.BENCH_ANALYTICS_EVENTS ?? 10_000_000);
const EMAILS = Number(process.env.BENCH_ANALYTICS_EMAILS ?? Math.max(1, Math.floor(EVENTS / 10)));
const RUNS = Number(process.env.BENCH_ANALYTICS_RUNS ?? 50);
const ONLY = process.env.BENCH_ANALYTICS_ONLY;
export const PROJECT = '00000000-0000-7000-a000-000000000001';
const DAY = 86_400_000;
/** Where the 90 days of seeded emails start (BENCH_ANALYTICS_T0, epoch ms; the dashboard bench ends them today). */
const T0 = Number(process.env.BENCH_ANALYTICS_T0 ?? Date.UTC(2026, 0, 1));
/** Emails are spread evenly over 90 days. */
const SPACING = Math.max(1, Math.floor((90 * DAY) / EMAILS));
/** 0-3: the opens' user agents; 1 and 4: the clicks' (a person follows a link in a browser). */
const UAS = [
  'Mozilla/5.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
  'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
];
const LINKS = JSON.stringify([0, 1, 2].map((i) => ({ index: i, url: `https://example.com/l${i}`, label: `Link ${i}`, location: 'html' })));
/** Series length: one email in four gets no events, so a quarter of the series is filtered out. */
const SERIES = Math.ceil((EVENTS * 4) / 3);

/**
 * The kinds of seeded events: `c` 1 for a click, `s` 1 for a hit from an address in the operator's
 * `security_scanner` IP list, `u` the index of the user agent in UAS. Each kind's label is what
 * classifyHit gives it (a GET an hour or more after sending, no trap link), so the bare
 * 'Mozilla/5.0' open is apple_mpp via apple, the GoogleImageProxy open human via google, the iPhone
 * and Outlook opens and the browser clicks human, and a listed scanner's click security_scanner.
 * Signals stay null: they explain a label, no analytics query reads them, and 10 M of them would
 * only slow the seeding.
 */
export const EVENT_KINDS = [0, 1].flatMap((c) =>
  [0, 1].flatMap((s) =>
    UAS.map((userAgent, u) => {
      const type = c === 1 ? ('clicked' as const) : ('opened' as const);
      const label = classifyHit({ type, method: 'GET', userAgent, ipList: s === 1 ? 'security_scanner' : null, sinceSentMs: 3_600_000, trap: false });
      return { key: c * 10 + s * 5 + u, type, userAgent, scanner: s === 1, classification: label.classification, proxy: label.proxy };
    }),
  ),
);

function log(msg: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

async function timed<T>(label: string, f: () => Promise<T> | T): Promise<T> {
  const t = performance.now();
  const r = await f();
  log(`${label}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return r;
}

/**
 * The seeded events, one per series index k, on either backend. Email e = k % EMAILS gets event
 * round r = k / EMAILS at its send time + 1 h + r minutes; emails with e % 4 = 0 get none. Round
 * r % 5 = 4 of an even email is a click (on link r % 3), any other an open. Who made each:
 *
 * - opens: user agent (r + e) % 4 (a quarter Apple MPP prefetches), except the emails of Apple
 *   Mail users, m = (e / 4) % 20 = 3, whose opens are all MPP's (so a clicked one is opened by a
 *   person through its click only, an unclicked one not at all);
 * - clicks: a browser, and a listed security scanner for 1 click in 10: both clicks of the emails
 *   with m = 0 (clicked by a scanner only) and the first click of those with m = 1 or 2 (a scanner,
 *   then the person).
 */
function eventsSql(backend: 'sqlite' | 'postgres'): string {
  const sqlite = backend === 'sqlite';
  const series = sqlite
    ? `(with recursive s(k) as (select 0 union all select k + 1 from s where k < ${SERIES - 1}) select k from s)`
    : `generate_series(0::bigint, ${SERIES - 1}) as k`;
  const id = (prefix: string, expr: string) =>
    sqlite ? `printf('00000000-0000-7000-${prefix}-%012x', ${expr})` : `('00000000-0000-7000-${prefix}-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
  const byKind = (f: (k: (typeof EVENT_KINDS)[number]) => string | null) =>
    `case c * 10 + s * 5 + u ${EVENT_KINDS.map((k) => `when ${k.key} then ${f(k) === null ? 'null' : `'${f(k)}'`}`).join(' ')} end`;
  const m = `(e / 4) % 20`;
  return `
    insert into email_events (id, project_id, email_id, type, created_at, ip, user_agent, referer, link_index, url, detail,
      classification, proxy, signals)
    select ${id('9000', 'k')}, '${PROJECT}', ${id('8000', 'e')}, case when c = 1 then 'clicked' else 'opened' end,
      ${T0}${sqlite ? '' : '::bigint'} + e * ${SPACING} + 3600000 + r * 60000, null, ${byKind((k) => k.userAgent)}, null,
      case when c = 1 then r % 3 end, case when c = 1 then 'https://example.com/l' || (r % 3) end, null,
      ${byKind((k) => k.classification)}, ${byKind((k) => k.proxy)}, null
    from (select k, e, r, c,
        case when c = 1 then case when (r + e) % 2 = 0 then 1 else 4 end when ${m} = 3 then 0 else (r + e) % 4 end as u,
        case when c = 1 and (${m} = 0 or (${m} in (1, 2) and r < 5)) then 1 else 0 end as s
      from (select k, e, r, case when r % 5 = 4 and e % 2 = 0 then 1 else 0 end as c
        from (select k, k % ${EMAILS} as e, k / ${EMAILS} as r from ${series}) a
        where e % 4 != 0) b) x`;
}

// ---------------------------------------------------------------------------------------------
// SQLite seeding

export function seedSqlite(path: string): void {
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.exec('begin');
  db.prepare(`insert into projects (id, name, is_default, created_at) values (?, 'bench', 0, ?)`).run(PROJECT, T0);
  db.exec(`
    insert into emails (id, project_id, from_address, to_addresses, cc_addresses, bcc_addresses, reply_to, subject,
      headers, tags, track_opens, track_clicks, links, status, created_at, sent_at, last_event, last_event_at)
    with recursive s(i) as (select 0 union all select i + 1 from s where i < ${EMAILS - 1})
    select printf('00000000-0000-7000-8000-%012x', i), '${PROJECT}', 'a@example.com', '["b@example.com"]', '[]', '[]', '[]', 'Hi',
      '{}', '[{"name":"campaign","value":"c' || (i % 100) || '"}]', 1, 'html', '${LINKS}', 'captured',
      ${T0} + i * ${SPACING}, ${T0} + i * ${SPACING}, 'sent', ${T0} + i * ${SPACING}
    from s`);
  db.exec(`insert into email_bodies (email_id, html_body, text_body) select id, null, 'Hi' from emails`);
  db.exec(eventsSql('sqlite'));
  db.exec('commit');
  db.exec('begin');
  rollupSql('sqlite').forEach((q) => db.exec(q));
  db.exec('commit');
  db.close();
}

/**
 * The emails' counters and the rollups, rebuilt from the seeded rows with the definitions of
 * src/core/analytics/rollups.ts: first each email's counts, machine parts and first times from its
 * events, then the rollups from the emails (human opened = a human open or a human click).
 * Emails have exactly one tag here, so the tag rows are one GROUP BY with the tag expression.
 */
function rollupSql(backend: 'sqlite' | 'postgres'): string[] {
  const tagOf =
    backend === 'sqlite'
      ? `json_extract(m.tags, '$[0].name') || ':' || json_extract(m.tags, '$[0].value')`
      : `(m.tags::jsonb -> 0 ->> 'name') || ':' || (m.tags::jsonb -> 0 ->> 'value')`;
  const is = (cond: string) => (backend === 'sqlite' ? `(${cond})` : `(${cond})::int`);
  const bucket = `(m.created_at / 3600000) * 3600000`;
  const tags = `(select '' as tag union all select 'T')`;
  const tagExpr = `case when t.tag = '' then '' else ${tagOf} end`;
  const human = `classification = 'human'`;
  const perEmail = `(select email_id,
        sum(${is("type = 'opened'")}) as opens, sum(${is("type = 'clicked'")}) as clicks,
        sum(${is(`type = 'opened' and not ${human}`)}) as machine_opens, sum(${is(`type = 'clicked' and not ${human}`)}) as machine_clicks,
        min(case when type = 'opened' then created_at end) as first_open, min(case when type = 'clicked' then created_at end) as first_click,
        min(case when ${human} then created_at end) as first_human, min(case when type = 'clicked' and ${human} then created_at end) as first_human_click,
        max(created_at) as last_at, max(case when type = 'clicked' then created_at end) as last_click
      from email_events group by email_id)`;
  const humanOpens = `(m.open_count - m.machine_open_count)`;
  const humanClicks = `(m.click_count - m.machine_click_count)`;
  return [
    `update emails set open_count = c.opens, click_count = c.clicks, machine_open_count = c.machine_opens,
         machine_click_count = c.machine_clicks, opened_at = c.first_open, clicked_at = c.first_click,
         human_opened_at = c.first_human, human_clicked_at = c.first_human_click,
         last_event = case when c.last_click = c.last_at then 'clicked' else 'opened' end, last_event_at = c.last_at
       from ${perEmail} c where emails.id = c.email_id`,
    `insert into email_link_clicks (email_id, link_index, url, clicks, machine_clicks)
       select email_id, link_index, url, count(*), sum(${is(`not ${human}`)})
       from email_events where type = 'clicked' group by email_id, link_index, url`,
    `insert into analytics_rollups (project_id, tag, bucket, domain_id, sent, opened, opens, clicked, clicks,
         human_opened, human_opens, human_clicked, human_clicks, aggregate_only_sent)
       select m.project_id, ${tagExpr}, ${bucket}, '', count(*), sum(${is('m.open_count > 0')}), sum(m.open_count),
         sum(${is('m.click_count > 0')}), sum(m.click_count),
         sum(${is(`${humanOpens} + ${humanClicks} > 0`)}), sum(${humanOpens}), sum(${is(`${humanClicks} > 0`)}), sum(${humanClicks}),
         sum(${is('m.aggregate_only')})
       from emails m cross join ${tags} t group by 1, 2, 3`,
    `insert into analytics_link_rollups (project_id, tag, bucket, domain_id, link_index, url, label, clicks, unique_clicks,
         human_clicks, human_unique_clicks)
       select m.project_id, ${tagExpr}, ${bucket}, '', c.link_index, c.url, 'Link ' || c.link_index, sum(c.clicks), count(*),
         sum(c.clicks - c.machine_clicks), sum(${is('c.clicks > c.machine_clicks')})
       from email_link_clicks c join emails m on m.id = c.email_id cross join ${tags} t group by 1, 2, 3, 5, 6, 7`,
  ];
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL seeding

async function seedPostgres(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const id = (prefix: string, expr: string) => `('00000000-0000-7000-${prefix}-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
    await c.query('set synchronous_commit = off');
    await c.query(`insert into projects (id, name, is_default, created_at) values ('${PROJECT}', 'bench', false, ${T0})`);
    await timed('pg emails', () =>
      c.query(`
      insert into emails (id, project_id, from_address, to_addresses, cc_addresses, bcc_addresses, reply_to, subject,
        headers, tags, track_opens, track_clicks, links, status, created_at, sent_at, last_event, last_event_at)
      select ${id('8000', 'i')}, '${PROJECT}', 'a@example.com', '["b@example.com"]', '[]', '[]', '[]', 'Hi',
        '{}', '[{"name":"campaign","value":"c' || (i % 100) || '"}]', true, 'html', '${LINKS}', 'captured',
        ${T0}::bigint + i * ${SPACING}, ${T0}::bigint + i * ${SPACING}, 'sent', ${T0}::bigint + i * ${SPACING}
      from generate_series(0::bigint, ${EMAILS - 1}) as i`),
    );
    await timed('pg email bodies', () => c.query(`insert into email_bodies (email_id, html_body, text_body) select id, null, 'Hi' from emails`));
    await timed('pg events', () => c.query(eventsSql('postgres')));
    for (const q of rollupSql('postgres')) await timed('pg rollup step', () => c.query(q));
    await c.query('vacuum analyze');
  } finally {
    await c.end();
  }
}

/** The client rollups: per user agent, classified in JS (few distinct user agents). */
export async function seedClientRollups(store: Store, backend: 'sqlite' | 'postgres', target: string): Promise<void> {
  const cases = UAS.map((u) => {
    const c = classifyUserAgent(u);
    return `when '${u}' then '${c.client}\u0001${c.device}\u0001${c.os}'`;
  }).join(' ');
  const tagOf =
    backend === 'sqlite'
      ? `json_extract(m.tags, '$[0].name') || ':' || json_extract(m.tags, '$[0].value')`
      : `(m.tags::jsonb -> 0 ->> 'name') || ':' || (m.tags::jsonb -> 0 ->> 'value')`;
  const split = (n: number) =>
    backend === 'sqlite'
      ? n === 1
        ? `substr(x.k, 1, instr(x.k, char(1)) - 1)`
        : n === 2
          ? `substr(substr(x.k, instr(x.k, char(1)) + 1), 1, instr(substr(x.k, instr(x.k, char(1)) + 1), char(1)) - 1)`
          : `substr(substr(x.k, instr(x.k, char(1)) + 1), instr(substr(x.k, instr(x.k, char(1)) + 1), char(1)) + 1)`
      : `split_part(x.k, chr(1), ${n})`;
  const q = `
    insert into analytics_client_rollups (project_id, tag, bucket, domain_id, client, device, os, opens, human_opens)
    select x.project_id, x.tag, x.bucket, '', ${split(1)}, ${split(2)}, ${split(3)}, sum(x.n), sum(x.h) from (
      select m.project_id, case when t.tag = '' then '' else ${tagOf} end as tag, (m.created_at / 3600000) * 3600000 as bucket,
        case e.user_agent ${cases} end as k, count(*) as n, sum(case when e.classification = 'human' then 1 else 0 end) as h
      from email_events e join emails m on m.id = e.email_id cross join (select '' as tag union all select 'T') t
      where e.type = 'opened' group by 1, 2, 3, 4) x
    group by x.project_id, x.tag, x.bucket, x.k`;
  if (backend === 'sqlite') {
    const db = new BetterSqlite3(target);
    db.exec(q);
    db.exec('analyze');
    db.close();
  } else {
    const c = new pg.Client({ connectionString: target });
    await c.connect();
    await c.query(q);
    await c.query('analyze');
    await c.end();
  }
  void store;
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Row {
  backend: string;
  query: string;
  p50: number;
  p95: number;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(backend: string, service: AnalyticsService): Promise<Row[]> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const last7 = { from: iso(T0 + 83 * DAY), to: iso(T0 + 90 * DAY) };
  const queries: Array<[string, () => Promise<unknown>]> = [
    ['summary (all, 90 days)', () => service.summary(PROJECT, {})],
    ['summary tag=campaign:c7', () => service.summary(PROJECT, { tag: 'campaign:c7' })],
    ['summary last 7 days', () => service.summary(PROJECT, last7)],
    ['timeseries day (90 days)', () => service.timeseries(PROJECT, {}, 'day', 'Europe/Paris')],
    ['timeseries hour (7 days)', () => service.timeseries(PROJECT, last7, 'hour')],
    ['timeseries day tag', () => service.timeseries(PROJECT, { tag: 'campaign:c7' }, 'day')],
    ['links (all)', () => service.links(PROJECT, {})],
    ['links tag', () => service.links(PROJECT, { tag: 'campaign:c7' })],
    ['links email_id', () => service.links(PROJECT, { emailId: '00000000-0000-7000-8000-000000000002' })],
    ['clients (all)', () => service.clients(PROJECT, {})],
    ['clients tag', () => service.clients(PROJECT, { tag: 'campaign:c7' })],
  ];
  const rows: Row[] = [];
  for (const [name, run] of queries) {
    for (let i = 0; i < 3; i++) await run();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await run();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    rows.push({ backend, query: name, p50: pct(times, 50), p95: pct(times, 95) });
  }
  return rows;
}

type Raw = (q: string) => Promise<Array<Record<string, unknown>>>;

function same(what: string, store: unknown, recount: unknown): void {
  if (JSON.stringify(store) !== JSON.stringify(recount)) {
    throw new Error(`${what}: the store says ${JSON.stringify(store)}, the recount from raw events ${JSON.stringify(recount)}`);
  }
}

const pctOf = (part: number, whole: number) => `${whole === 0 ? 0 : ((100 * part) / whole).toFixed(1)} %`;

/**
 * Recounts from the raw events, with the definitions written out, and compares with the store:
 * the summary (each total and each human part: an email is opened by a person when it has a human
 * open or a human click), the emails' own counters, the links and the clients. Throws on the first
 * difference.
 */
async function check(store: Store, raw: Raw): Promise<string> {
  const n = (v: unknown) => Number(v ?? 0);
  const human = `classification = 'human'`;
  const [r] = await raw(`select
      (select count(*) from emails) as sent,
      (select count(*) from emails where aggregate_only) as aggregate_only_sent,
      sum(case when o > 0 then 1 else 0 end) as opened, sum(o) as opens,
      sum(case when c > 0 then 1 else 0 end) as clicked, sum(c) as clicks,
      sum(case when ho > 0 or hc > 0 then 1 else 0 end) as human_opened, sum(ho) as human_opens,
      sum(case when hc > 0 then 1 else 0 end) as human_clicked, sum(hc) as human_clicks
    from (select email_id,
        sum(case when type = 'opened' then 1 else 0 end) as o, sum(case when type = 'clicked' then 1 else 0 end) as c,
        sum(case when type = 'opened' and ${human} then 1 else 0 end) as ho,
        sum(case when type = 'clicked' and ${human} then 1 else 0 end) as hc
      from email_events where type in ('opened', 'clicked') group by email_id) x`);
  const recount = {
    sent: n(r!.sent),
    opened: n(r!.opened),
    opens: n(r!.opens),
    clicked: n(r!.clicked),
    clicks: n(r!.clicks),
    humanOpened: n(r!.human_opened),
    humanOpens: n(r!.human_opens),
    humanClicked: n(r!.human_clicked),
    humanClicks: n(r!.human_clicks),
    aggregateOnlySent: n(r!.aggregate_only_sent),
  };
  same('summary', await store.analytics.summary(PROJECT, {}), recount);

  const [e] = await raw(`select sum(open_count) as opens, sum(open_count - machine_open_count) as human_opens,
      sum(click_count) as clicks, sum(click_count - machine_click_count) as human_clicks,
      sum(case when opened_at is not null then 1 else 0 end) as opened, sum(case when clicked_at is not null then 1 else 0 end) as clicked,
      sum(case when human_opened_at is not null then 1 else 0 end) as human_opened,
      sum(case when human_clicked_at is not null then 1 else 0 end) as human_clicked
    from emails`);
  const counters = (x: Record<string, unknown>) => ({
    opens: n(x.opens),
    humanOpens: n(x.human_opens ?? x.humanOpens),
    clicks: n(x.clicks),
    humanClicks: n(x.human_clicks ?? x.humanClicks),
    opened: n(x.opened),
    clicked: n(x.clicked),
    humanOpened: n(x.human_opened ?? x.humanOpened),
    humanClicked: n(x.human_clicked ?? x.humanClicked),
  });
  same("the emails' counters", counters(e!), counters(recount));

  const links = await raw(`select link_index, url, count(*) as clicks, count(distinct email_id) as unique_clicks,
      sum(case when ${human} then 1 else 0 end) as human_clicks, count(distinct case when ${human} then email_id end) as human_unique_clicks
    from email_events where type = 'clicked' and link_index is not null and url is not null group by link_index, url`);
  const link = (l: { linkIndex: number; url: string; clicks: number; uniqueClicks: number; humanClicks: number; humanUniqueClicks: number }) =>
    [l.linkIndex, l.url, l.clicks, l.uniqueClicks, l.humanClicks, l.humanUniqueClicks] as const;
  const byLink = (a: readonly [number, string, ...number[]], b: readonly [number, string, ...number[]]) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  same(
    'links',
    (await store.analytics.links(PROJECT, {})).map(link).sort(byLink),
    links
      .map((l) =>
        link({
          linkIndex: n(l.link_index),
          url: String(l.url),
          clicks: n(l.clicks),
          uniqueClicks: n(l.unique_clicks),
          humanClicks: n(l.human_clicks),
          humanUniqueClicks: n(l.human_unique_clicks),
        }),
      )
      .sort(byLink),
  );

  const perAgent = await raw(`select user_agent, count(*) as opens, sum(case when ${human} then 1 else 0 end) as human_opens
    from email_events where type = 'opened' group by user_agent`);
  const clients = new Map<string, { client: string; device: string; os: string; opens: number; humanOpens: number }>();
  for (const a of perAgent) {
    const c = classifyUserAgent(a.user_agent === null ? null : String(a.user_agent));
    const key = `${c.client}\u0001${c.device}\u0001${c.os}`;
    const row = clients.get(key) ?? { client: c.client, device: c.device, os: c.os, opens: 0, humanOpens: 0 };
    row.opens += n(a.opens);
    row.humanOpens += n(a.human_opens);
    clients.set(key, row);
  }
  const byClient = (a: { client: string; device: string; os: string }, b: { client: string; device: string; os: string }) => {
    const x = `${a.client}\u0001${a.device}\u0001${a.os}`;
    const y = `${b.client}\u0001${b.device}\u0001${b.os}`;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  same(
    'clients',
    (await store.analytics.clients(PROJECT, {})).map(({ client, device, os, opens, humanOpens }) => ({ client, device, os, opens, humanOpens })).sort(byClient),
    [...clients.values()].sort(byClient),
  );

  return (
    `rollups, emails' counters, links and clients equal the recount from raw events: ${JSON.stringify(recount)}; ` +
    `human share: opened ${pctOf(recount.humanOpened, recount.opened)}, opens ${pctOf(recount.humanOpens, recount.opens)}, ` +
    `clicked ${pctOf(recount.humanClicked, recount.clicked)}, clicks ${pctOf(recount.humanClicks, recount.clicks)}`
  );
}

async function runSqlite(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-analytics-'));
  const path = join(dir, 'waymark.db');
  try {
    const setup = await openStore(`sqlite:${path}`);
    await setup.migrate();
    await setup.close();
    await timed(`sqlite seed ${EMAILS} emails, ~${EVENTS} events, rollups`, () => seedSqlite(path));
    const store = await openStore(`sqlite:${path}`);
    await timed('sqlite client rollups', () => seedClientRollups(store, 'sqlite', path));
    try {
      const db = new BetterSqlite3(path, { readonly: true });
      log(await timed('sqlite check', () => check(store, async (q) => db.prepare(q).all() as Array<Record<string, unknown>>)));
      db.close();
      return await measure('SQLite', new AnalyticsService(store));
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runPostgres(): Promise<Row[]> {
  const made = await createBenchDatabase(postgresAdminUrl().url);
  if ('unavailable' in made) {
    log(`PostgreSQL skipped: ${made.unavailable}`);
    return [];
  }
  try {
    const setup = await openStore(made.url);
    await setup.migrate();
    await setup.close();
    await timed(`pg seed ${EMAILS} emails, ~${EVENTS} events, rollups`, () => seedPostgres(made.url));
    const store = await openStore(made.url);
    await timed('pg client rollups', () => seedClientRollups(store, 'postgres', made.url));
    try {
      const c = new pg.Client({ connectionString: made.url });
      await c.connect();
      log(await timed('pg check', () => check(store, async (q) => (await c.query(q)).rows as Array<Record<string, unknown>>)));
      await c.end();
      return await measure('PostgreSQL', new AnalyticsService(store));
    } finally {
      await store.close();
    }
  } finally {
    await made.drop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();

async function main(): Promise<void> {
  const rows: Row[] = [];
  if (ONLY === undefined || ONLY === 'sqlite') rows.push(...(await runSqlite()));
  if (ONLY === undefined || ONLY === 'postgres') rows.push(...(await runPostgres()));
  console.log(`\nAnalytics queries, ${EMAILS} emails, ~${EVENTS} events, ${RUNS} runs each (goal: p95 ≤ 50 ms)\n`);
  console.log('| backend | query | p50 ms | p95 ms | goal |');
  console.log('| --- | --- | ---: | ---: | --- |');
  for (const r of rows) console.log(`| ${r.backend} | ${r.query} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.p95 <= 50 ? 'met' : 'NOT MET'} |`);
}
