/**
 * Analytics benchmark: seeds BENCH_ANALYTICS_EMAILS emails (default events / 10) and
 * BENCH_ANALYTICS_EVENTS events (default 10,000,000) on SQLite and on PostgreSQL, then reports p50
 * and p95 of each analytics query, through the AnalyticsService (no HTTP). Goal: p95 ≤ 50 ms.
 *
 * Seeding is bulk SQL, NOT the tracking path: emails and events come from a recursive CTE (SQLite)
 * or generate_series (PostgreSQL), then the rollups are built by one GROUP BY per rollup table over
 * the seeded rows, with the same definitions as the per-batch deltas (send cohort hour, '' and
 * `name:value` tag rows, unique = distinct emails). Before measuring, the bench recounts the
 * summary from the raw events and checks it equals the rollups' answer.
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
const UAS = [
  'Mozilla/5.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
  'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)',
];
const LINKS = JSON.stringify([0, 1, 2].map((i) => ({ index: i, url: `https://example.com/l${i}`, label: `Link ${i}`, location: 'html' })));
/** Series length: one email in four gets no events, so a quarter of the series is filtered out. */
const SERIES = Math.ceil((EVENTS * 4) / 3);

function log(msg: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

async function timed<T>(label: string, f: () => Promise<T> | T): Promise<T> {
  const t = performance.now();
  const r = await f();
  log(`${label}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// SQLite seeding

export function seedSqlite(path: string): void {
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const ua = `case (k / ${EMAILS} + k % ${EMAILS}) % 4 ${UAS.map((u, i) => `when ${i} then '${u}'`).join(' ')} end`;
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
  db.exec(`
    insert into email_events (id, project_id, email_id, type, created_at, ip, user_agent, referer, link_index, url, detail)
    select printf('00000000-0000-7000-9000-%012x', k), '${PROJECT}', printf('00000000-0000-7000-8000-%012x', k % ${EMAILS}),
      case when (k / ${EMAILS}) % 5 = 4 and (k % ${EMAILS}) % 2 = 0 then 'clicked' else 'opened' end,
      ${T0} + (k % ${EMAILS}) * ${SPACING} + 3600000 + (k / ${EMAILS}) * 60000, null,
      ${ua}, null,
      case when (k / ${EMAILS}) % 5 = 4 and (k % ${EMAILS}) % 2 = 0 then (k / ${EMAILS}) % 3 end,
      case when (k / ${EMAILS}) % 5 = 4 and (k % ${EMAILS}) % 2 = 0 then 'https://example.com/l' || ((k / ${EMAILS}) % 3) end, null
    from (with recursive s(k) as (select 0 union all select k + 1 from s where k < ${SERIES - 1}) select k from s)
    where (k % ${EMAILS}) % 4 != 0`);
  db.exec('commit');
  db.exec('begin');
  rollupSql('sqlite').forEach((q) => db.exec(q));
  db.exec('commit');
  db.close();
}

/**
 * The rollups, rebuilt from the seeded rows with the definitions of src/core/analytics/rollups.ts.
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
  const perEmail = `(select email_id, sum(${is("type = 'opened'")}) as opens, sum(${is("type = 'clicked'")}) as clicks
      from email_events group by email_id)`;
  return [
    `update emails set open_count = c.opens, click_count = c.clicks
       from ${perEmail} c where emails.id = c.email_id`,
    `insert into email_link_clicks (email_id, link_index, url, clicks)
       select email_id, link_index, url, count(*) from email_events where type = 'clicked' group by email_id, link_index, url`,
    `insert into analytics_rollups (project_id, tag, bucket, domain_id, sent, opened, opens, clicked, clicks)
       select m.project_id, ${tagExpr}, ${bucket}, '', count(*), sum(${is('m.open_count > 0')}), sum(m.open_count),
         sum(${is('m.click_count > 0')}), sum(m.click_count)
       from emails m cross join ${tags} t group by 1, 2, 3`,
    `insert into analytics_link_rollups (project_id, tag, bucket, domain_id, link_index, url, label, clicks, unique_clicks)
       select m.project_id, ${tagExpr}, ${bucket}, '', c.link_index, c.url, 'Link ' || c.link_index, sum(c.clicks), count(*)
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
    const ua = `case ((k / ${EMAILS}) + k % ${EMAILS}) % 4 ${UAS.map((u, i) => `when ${i} then '${u}'`).join(' ')} end`;
    const click = `((k / ${EMAILS}) % 5 = 4 and (k % ${EMAILS}) % 2 = 0)`;
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
    await timed('pg events', () =>
      c.query(`
      insert into email_events (id, project_id, email_id, type, created_at, ip, user_agent, referer, link_index, url, detail)
      select ${id('9000', 'k')}, '${PROJECT}', ${id('8000', `k % ${EMAILS}`)},
        case when ${click} then 'clicked' else 'opened' end,
        ${T0}::bigint + (k % ${EMAILS}) * ${SPACING} + 3600000 + (k / ${EMAILS}) * 60000, null, ${ua}, null,
        case when ${click} then (k / ${EMAILS}) % 3 end,
        case when ${click} then 'https://example.com/l' || ((k / ${EMAILS}) % 3) end, null
      from generate_series(0::bigint, ${SERIES - 1}) as k
      where (k % ${EMAILS}) % 4 != 0`),
    );
    for (const q of rollupSql('postgres')) await timed('pg rollup step', () => c.query(q));
    await c.query('vacuum analyze');
  } finally {
    await c.end();
  }
}

/** The client rollups: per user agent, classified in JS (few distinct user agents). */
export async function seedClientRollups(store: Store, backend: 'sqlite' | 'postgres', target: string): Promise<void> {
  const { classifyUserAgent } = await import('../src/core/analytics/user-agents.js');
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
    insert into analytics_client_rollups (project_id, tag, bucket, domain_id, client, device, os, opens)
    select x.project_id, x.tag, x.bucket, '', ${split(1)}, ${split(2)}, ${split(3)}, sum(x.n) from (
      select m.project_id, case when t.tag = '' then '' else ${tagOf} end as tag, (m.created_at / 3600000) * 3600000 as bucket,
        case e.user_agent ${cases} end as k, count(*) as n
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

/** Recounts the summary from the raw events (one scan) and compares it with the rollups' answer. */
async function check(store: Store, raw: (q: string) => Promise<Record<string, unknown>>): Promise<string> {
  const fromRollups = await store.analytics.summary(PROJECT, {});
  const r = await raw(`select
      (select count(*) from emails) as sent,
      (select count(distinct email_id) from email_events where type = 'opened') as opened,
      (select count(*) from email_events where type = 'opened') as opens,
      (select count(distinct email_id) from email_events where type = 'clicked') as clicked,
      (select count(*) from email_events where type = 'clicked') as clicks`);
  const recount = { sent: Number(r.sent), opened: Number(r.opened), opens: Number(r.opens), clicked: Number(r.clicked), clicks: Number(r.clicks) };
  const same = JSON.stringify(recount) === JSON.stringify(fromRollups);
  if (!same) throw new Error(`rollups ${JSON.stringify(fromRollups)} differ from the recount ${JSON.stringify(recount)}`);
  return `rollups equal the recount from raw events: ${JSON.stringify(recount)}`;
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
      log(await check(store, async (q) => db.prepare(q).get() as Record<string, unknown>));
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
      log(await check(store, async (q) => (await c.query(q)).rows[0] as Record<string, unknown>));
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
