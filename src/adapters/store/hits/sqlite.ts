import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { emailLinkDeltas, hitRollupDeltas } from '../../../core/analytics/rollups.js';
import type { EmailLinkDelta } from '../../../core/analytics/rollups.js';
import type { TrackingHit } from '../../../ports/store.js';
import { JOURNAL_START } from '../../../ports/journal-position.js';
import { StaleJournalPosition, advancePosition } from '../journal-positions.js';
import { DELIVERY_COLUMNS, subscribes } from '../outbox.js';
import { CLIENTS, COUNTS, EMAIL_LINK_CLICKS, LINKS, singleRowUpsertSql, upsertValues } from '../rollup-upserts.js';
import type { Database } from '../schema.js';
import { EMAIL_STATE_COLUMNS, emailStates } from './batch.js';
import type { EmailStateRow, HitBatch, HitBatchWriter, HitTotals } from './batch.js';

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
  const states = raw.prepare<[string], EmailStateRow>(
    `select ${EMAIL_STATE_COLUMNS} from emails where id in (select value from json_each(?))`,
  );
  const emailLinkClicks = raw.prepare<unknown[], { clicks: number }>(singleRowUpsertSql(EMAIL_LINK_CLICKS, 'returning clicks'));
  const counts = raw.prepare(singleRowUpsertSql(COUNTS));
  const links = raw.prepare(singleRowUpsertSql(LINKS));
  const clients = raw.prepare(singleRowUpsertSql(CLIENTS));
  // The email is updated first: RETURNING tells whether it exists and gives its project, so the
  // events are plain single-row INSERT ... VALUES. (An INSERT ... SELECT needs a statement
  // journal per row, which measured ~4 µs of extra I/O per hit.)
  // scalar min() is NULL if either side is; coalesce keeps whichever side is set.
  const updateEmail = raw
    .prepare<[Record<string, unknown>], string>(`
      update emails set
        open_count = open_count + @opens,
        click_count = click_count + @clicks,
        opened_at = coalesce(min(opened_at, @firstOpenAt), opened_at, @firstOpenAt),
        clicked_at = coalesce(min(clicked_at, @firstClickAt), clicked_at, @firstClickAt),
        last_event = case when last_event_at is null or last_event_at < @lastAt then @lastType else last_event end,
        last_event_at = case when last_event_at is null or last_event_at < @lastAt then @lastAt else last_event_at end
      where id = @emailId
      returning project_id`)
    .pluck();
  const insertEvent = raw.prepare<[Record<string, unknown>]>(`
    insert into email_events
      (id, project_id, email_id, type, created_at, ip, user_agent, referer, link_index, url, detail)
    values (@id, @projectId, @emailId, @type, @createdAt, @ip, @userAgent, @referer, @linkIndex, @url, null)`);
  // The outbox: a project's endpoints are read once per batch, with the subscription rule
  // evaluated for both hit types, and a delivery row is written beside each event.
  const endpoints = raw.prepare<[string], { id: string; opened: number; clicked: number }>(
    sql`select w.id, ${subscribes(sql`'email.opened'`)} as opened, ${subscribes(sql`'email.clicked'`)} as clicked
      from webhook_endpoints w where w.project_id = ${sql.raw('?')} and w.enabled`.compile(db).sql,
  );
  const insertDelivery = raw.prepare<[Record<string, unknown>]>(`
    insert into webhook_deliveries (${DELIVERY_COLUMNS.compile(db).sql})
    values (@endpointId, @eventId, @projectId, @type, @eventId, null, 'pending', 0, @createdAt, @createdAt)`);

  function applyRollups(hits: readonly TrackingHit[]): void {
    const linkDeltas = emailLinkDeltas(hits);
    const ids = [...new Set(hits.map((h) => h.emailId))];
    const before = emailStates(states.all(JSON.stringify(ids)), linkDeltas);
    const known = linkDeltas.filter((d) => before.has(d.emailId));
    const firsts: EmailLinkDelta[] = [];
    for (const d of known) {
      const row = emailLinkClicks.get(...upsertValues(EMAIL_LINK_CLICKS, d))!;
      if (Number(row.clicks) === d.clicks) firsts.push(d);
    }
    const deltas = hitRollupDeltas(hits, before, firsts, known);
    for (const c of deltas.counts) counts.run(...upsertValues(COUNTS, c));
    for (const l of deltas.links) links.run(...upsertValues(LINKS, l));
    for (const c of deltas.clients) clients.run(...upsertValues(CLIENTS, c));
  }

  function updateEmails(totals: readonly HitTotals[]): Map<string, string> {
    const projectOf = new Map<string, string>();
    for (const t of totals) {
      const projectId = updateEmail.get({
        emailId: t.emailId,
        opens: t.opens,
        clicks: t.clicks,
        firstOpenAt: t.firstOpenAt,
        firstClickAt: t.firstClickAt,
        lastType: t.lastType,
        lastAt: t.lastAt,
      });
      if (projectId !== undefined) projectOf.set(t.emailId, projectId);
    }
    return projectOf;
  }

  // Prepared once from the statement's text; each batch binds the parameters Kysely gives it.
  const position = raw.prepare(advancePosition({ journalId: '00000000-0000-0000-0000-000000000000', end: JOURNAL_START }, 0).compile(db).sql);

  const transaction = raw.transaction(({ hits, totals, journal }: HitBatch) => {
    if (journal !== undefined && position.get(...advancePosition(journal, Date.now()).compile(db).parameters) === undefined) {
      throw new StaleJournalPosition(journal);
    }
    if (hits.length === 0) return;
    applyRollups(hits); // reads the emails as they were before this batch
    const projectOf = updateEmails(totals);
    const subscribers = new Map<string, { opened: string[]; clicked: string[] }>();
    const subscribersOf = (projectId: string) => {
      let found = subscribers.get(projectId);
      if (found === undefined) {
        found = { opened: [], clicked: [] };
        for (const e of endpoints.all(projectId)) {
          if (e.opened) found.opened.push(e.id);
          if (e.clicked) found.clicked.push(e.id);
        }
        subscribers.set(projectId, found);
      }
      return found;
    };
    for (const h of hits) {
      const projectId = projectOf.get(h.emailId);
      if (projectId === undefined) continue; // no such email: the hit is dropped
      insertEvent.run({
        id: h.id,
        projectId,
        emailId: h.emailId,
        type: h.type,
        createdAt: h.createdAt,
        ip: h.ip,
        userAgent: h.userAgent,
        referer: h.referer,
        linkIndex: h.linkIndex,
        url: h.url,
      });
      const type = h.type === 'opened' ? 'email.opened' : 'email.clicked';
      for (const endpointId of subscribersOf(projectId)[h.type]) {
        insertDelivery.run({ endpointId, eventId: h.id, projectId, type, createdAt: h.createdAt });
      }
    }
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
