import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { emailLinkDeltas, emailLinkKey, hitRollupDeltas } from '../../../core/analytics/rollups.js';
import type { EmailLinkState, EmailRollupState, RollupHit } from '../../../core/analytics/rollups.js';
import { JOURNAL_START } from '../../../ports/journal-position.js';
import { StaleJournalPosition, advancePosition } from '../journal-positions.js';
import { DELIVERY_COLUMNS, subscribes } from '../outbox.js';
import { CLIENTS, COUNTS, EMAIL_LINK_CLICKS, LINKS, singleRowUpsertSql, upsertValues } from '../rollup-upserts.js';
import type { Database } from '../schema.js';
import { COHORT_COLUMNS, aggregateDeltas } from './aggregate.js';
import type { CohortRow } from './aggregate.js';
import { EMAIL_STATE_COLUMNS, HUMAN_TIMES_SQL, emailStateRow, emailStates, emailsWithClicks } from './batch.js';
import type { HitBatch, HitBatchWriter, HitTotals } from './batch.js';
import type { TrackingHit } from '../../../core/model.js';
import { MAX_STORED_CONTEXT, STORED_HIT_COLUMNS, contextRanges, createdAtOf, inRanges, labelBatch, ownLabels, storedHitRow } from './labels.js';
import type { HumanTotals } from './labels.js';

/**
 * SQLite's hit batch (see batch.ts for what it writes): one synchronous better-sqlite3 transaction
 * of prepared statements, BEGIN IMMEDIATE, so no other writer interleaves.
 */
export function sqliteHitWriter(db: Kysely<Database>, raw: BetterSqlite3.Database): HitBatchWriter {
  // Prepared on first use: the tables must exist first.
  let write: ((batch: HitBatch) => void) | undefined;
  return async (batch) => {
    // Holding Kysely's connection (a mutex on the single connection) keeps this synchronous
    // transaction from landing inside a Kysely transaction that is waiting between statements.
    await db.connection().execute(async () => {
      write ??= prepare(db, raw);
      write(batch);
    });
  };
}

function prepare(db: Kysely<Database>, raw: BetterSqlite3.Database): (batch: HitBatch) => void {
  // These two read arrays and build the rows in JS: better-sqlite3 builds a row object in C++, a
  // property at a time: reading an email's few stored hits took 9–15 µs that way against 6 µs as
  // arrays, measured apart.
  const states = raw
    .prepare<[string], unknown[]>(`select ${EMAIL_STATE_COLUMNS} from emails where id in (select value from json_each(?))`)
    .raw();
  const storedHits = raw
    .prepare<[string, string], unknown[]>(
      `select ${STORED_HIT_COLUMNS} from email_events
        where email_id = ? and id >= ? and type in ('opened', 'clicked')
        order by id desc limit ${MAX_STORED_CONTEXT}`,
    )
    .raw();
  const emailLinkClicks = raw.prepare<unknown[], { clicks: number; machine_clicks: number }>(
    singleRowUpsertSql(EMAIL_LINK_CLICKS, 'returning clicks, machine_clicks'),
  );
  const counts = raw.prepare(singleRowUpsertSql(COUNTS));
  const links = raw.prepare(singleRowUpsertSql(LINKS));
  const clients = raw.prepare(singleRowUpsertSql(CLIENTS));
  // The email is updated first: RETURNING tells whether it exists and gives its project, so the
  // events are plain single-row INSERT ... VALUES. (An INSERT ... SELECT needs a statement
  // journal per row, which measured ~4 µs of extra I/O per hit.)
  // The per-hit statements bind positional parameters: binding by name looks every name up on an
  // object, which counted ~14,000 instructions a hit under callgrind.
  // scalar min() is NULL if either side is; coalesce keeps whichever side is set. Parameters, in
  // order: the four count deltas, each first time twice, the last human hit's time twice, the last
  // hit's time and type, its time twice more, and the email id.
  const updateEmail = raw
    .prepare<unknown[], string>(`
      update emails set
        open_count = open_count + ?,
        click_count = click_count + ?,
        machine_open_count = machine_open_count + ?,
        machine_click_count = machine_click_count + ?,
        opened_at = coalesce(min(opened_at, ?), opened_at, ?),
        clicked_at = coalesce(min(clicked_at, ?), clicked_at, ?),
        human_opened_at = coalesce(min(human_opened_at, ?), human_opened_at, ?),
        human_clicked_at = coalesce(min(human_clicked_at, ?), human_clicked_at, ?),
        last_human_hit_at = coalesce(max(last_human_hit_at, ?), last_human_hit_at, ?),
        last_event = case when last_event_at is null or last_event_at < ? then ? else last_event end,
        last_event_at = case when last_event_at is null or last_event_at < ? then ? else last_event_at end
      where id = ?
      returning project_id`)
    .pluck();
  const insertEvent = raw.prepare<unknown[]>(`
    insert into email_events
      (id, project_id, email_id, type, created_at, ip, user_agent, referer, link_index, url, detail, classification, proxy, signals)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?, ?)`);
  const relabelEvent = raw.prepare<[Record<string, unknown>]>(
    'update email_events set classification = @classification, proxy = @proxy, signals = @signals where id = @id',
  );
  const recomputeHumanTimes = raw.prepare<[string]>(`${HUMAN_TIMES_SQL} where id = ?`);
  // The outbox: a project's endpoints are read once per batch, with the subscription rule
  // evaluated for both hit types, and a delivery row is written beside each event.
  const endpoints = raw.prepare<[string], { id: string; opened: number; clicked: number; human_only: number }>(
    sql`select w.id, ${subscribes(sql`'email.opened'`)} as opened, ${subscribes(sql`'email.clicked'`)} as clicked, w.human_only
      from webhook_endpoints w where w.project_id = ${sql.raw('?')} and w.enabled`.compile(db).sql,
  );
  const insertDelivery = raw.prepare<[Record<string, unknown>]>(`
    insert into webhook_deliveries (${DELIVERY_COLUMNS.compile(db).sql})
    values (@endpointId, @eventId, @projectId, @type, @eventId, null, 'pending', 0, @createdAt, @createdAt)`);

  function applyRollups(hits: readonly RollupHit[], relabels: readonly RollupHit[], before: ReadonlyMap<string, EmailRollupState>): void {
    const linkDeltas = emailLinkDeltas(hits, relabels).filter((d) => before.has(d.emailId));
    const linksBefore = new Map<string, EmailLinkState>();
    for (const d of linkDeltas) {
      const row = emailLinkClicks.get(...upsertValues(EMAIL_LINK_CLICKS, d))!;
      linksBefore.set(emailLinkKey(d.emailId, d.linkIndex, d.url), {
        clicks: Number(row.clicks) - d.clicks,
        machineClicks: Number(row.machine_clicks) - d.machineClicks,
      });
    }
    const deltas = hitRollupDeltas(hits, before, linksBefore, linkDeltas, relabels);
    for (const c of deltas.counts) counts.run(...upsertValues(COUNTS, c));
    for (const l of deltas.links) links.run(...upsertValues(LINKS, l));
    for (const c of deltas.clients) clients.run(...upsertValues(CLIENTS, c));
  }

  function updateEmails(totals: readonly HitTotals[], human: ReadonlyMap<string, HumanTotals>): Map<string, string> {
    const projectOf = new Map<string, string>();
    for (const t of totals) {
      const h = human.get(t.emailId);
      const firstHumanOpenAt = h?.firstHumanOpenAt ?? null;
      const firstHumanClickAt = h?.firstHumanClickAt ?? null;
      const lastHumanAt = h?.lastHumanAt ?? null;
      const projectId = updateEmail.get(
        t.opens,
        t.clicks,
        h?.machineOpens ?? 0,
        h?.machineClicks ?? 0,
        t.firstOpenAt,
        t.firstOpenAt,
        t.firstClickAt,
        t.firstClickAt,
        firstHumanOpenAt,
        firstHumanOpenAt,
        firstHumanClickAt,
        firstHumanClickAt,
        lastHumanAt,
        lastHumanAt,
        t.lastAt,
        t.lastType,
        t.lastAt,
        t.lastAt,
        t.emailId,
      );
      if (projectId !== undefined) projectOf.set(t.emailId, projectId);
    }
    return projectOf;
  }

  // Prepared once from the statement's text; each batch binds the parameters Kysely gives it.
  const position = raw.prepare(advancePosition({ journalId: '00000000-0000-0000-0000-000000000000', end: JOURNAL_START }, 0).compile(db).sql);

  const cohorts = raw.prepare<[string], CohortRow>(`select ${COHORT_COLUMNS} from aggregate_cohorts where id in (select value from json_each(?))`);
  function applyAggregate(hits: readonly TrackingHit[]): void {
    const deltas = aggregateDeltas(hits, cohorts.all(JSON.stringify([...new Set(hits.map((h) => h.emailId))])));
    for (const c of deltas.counts) counts.run(...upsertValues(COUNTS, c));
    for (const l of deltas.links) links.run(...upsertValues(LINKS, l));
    for (const c of deltas.clients) clients.run(...upsertValues(CLIENTS, c));
  }

  const transaction = raw.transaction(({ hits, aggregate, totals, journal }: HitBatch) => {
    if (journal !== undefined && position.get(...advancePosition(journal, Date.now()).compile(db).parameters) === undefined) {
      throw new StaleJournalPosition(journal);
    }
    if (aggregate.length > 0) applyAggregate(aggregate);
    if (hits.length === 0) return;
    const rows = states.all(JSON.stringify([...new Set(hits.map((h) => h.emailId))])).map(emailStateRow);
    const own = ownLabels(hits, createdAtOf(rows));
    const ranges = contextRanges(hits, own, rows);
    const stored = inRanges(ranges.flatMap((r) => storedHits.all(r.emailId, r.minId).map(storedHitRow)), ranges);
    const before = emailStates(rows, emailsWithClicks(hits, stored));
    const labelled = labelBatch(hits, before, stored, own);
    const moved = labelled.relabels.filter((r) => r.moves);
    // Reads the emails as they were before this batch.
    applyRollups(labelled.hits, moved, before);
    const projectOf = updateEmails(totals, new Map(labelled.totals.map((t) => [t.emailId, t])));
    const subscribers = new Map<string, { opened: Subscriber[]; clicked: Subscriber[] }>();
    const subscribersOf = (projectId: string) => {
      let found = subscribers.get(projectId);
      if (found === undefined) {
        found = { opened: [], clicked: [] };
        for (const e of endpoints.all(projectId)) {
          const s = { id: e.id, humanOnly: Boolean(e.human_only) };
          if (e.opened) found.opened.push(s);
          if (e.clicked) found.clicked.push(s);
        }
        subscribers.set(projectId, found);
      }
      return found;
    };
    for (const h of labelled.hits) {
      const projectId = projectOf.get(h.emailId);
      if (projectId === undefined) continue; // no such email: the hit is dropped
      insertEvent.run(h.id, projectId, h.emailId, h.type, h.createdAt, h.ip, h.userAgent, h.referer, h.linkIndex, h.url, h.label.classification, h.label.proxy, h.signals);
      const type = h.type === 'opened' ? 'email.opened' : 'email.clicked';
      for (const endpoint of subscribersOf(projectId)[h.type]) {
        if (endpoint.humanOnly && !h.human) continue;
        insertDelivery.run({ endpointId: endpoint.id, eventId: h.id, projectId, type, createdAt: h.createdAt });
      }
    }
    for (const r of labelled.relabels) {
      relabelEvent.run({ id: r.id, classification: r.label.classification, proxy: r.label.proxy, signals: r.signals });
    }
    for (const t of labelled.totals) if (t.recompute) recomputeHumanTimes.run(t.emailId);
  });
  return (batch) => {
    if (batch.journal === undefined) return transaction.immediate(batch);
    // Hits from a journal are still there until the ingester asks for durability (syncIngested)
    // and only then deletes them: their commit may skip its own fsync. Synchronous, so no other
    // statement on this connection runs while the setting is relaxed.
    raw.pragma('synchronous = NORMAL');
    try {
      return transaction.immediate(batch);
    } finally {
      raw.pragma('synchronous = FULL');
    }
  };
}

interface Subscriber {
  id: string;
  humanOnly: boolean;
}
