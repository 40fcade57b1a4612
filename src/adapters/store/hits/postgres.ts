import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { emailLinkDeltas, hitRollupDeltas } from '../../../core/analytics/rollups.js';
import type { EmailLinkDelta } from '../../../core/analytics/rollups.js';
import type { TrackingHit } from '../../../ports/store.js';
import { StaleJournalPosition, advancePosition } from '../journal-positions.js';
import { eventDeliveries } from '../outbox.js';
import { CLIENTS, COUNTS, EMAIL_LINK_CLICKS, LINKS, unnestUpsert } from '../rollup-upserts.js';
import type { Database } from '../schema.js';
import { EMAIL_STATE_COLUMNS, emailStates } from './batch.js';
import type { EmailStateRow, HitBatchWriter, HitTotals } from './batch.js';

/**
 * PostgreSQL's hit batch (see batch.ts for what it writes): one transaction of a fixed number of
 * statements, whatever the batch's size, each taking the whole batch as arrays.
 */
export function postgresHitWriter(db: Kysely<Database>): HitBatchWriter {
  return async ({ hits, totals, journal }) => {
    // Emails are locked in id order so that two nodes committing batches that touch the same
    // emails cannot deadlock. NO KEY UPDATE (what the UPDATE takes anyway) does not block the
    // FOR KEY SHARE locks that the events' foreign-key checks take.
    const lockOrder = totals.map((t) => t.emailId).sort();
    await db.transaction().execute(async (trx) => {
      // First: the row lock also keeps a second ingester of the same journal waiting here.
      if (journal !== undefined && (await advancePosition(journal, Date.now()).execute(trx)).rows.length === 0) {
        throw new StaleJournalPosition(journal);
      }
      if (hits.length === 0) return;
      await insertEventsAndOutbox(trx, hits);
      await sql`select 1 from emails where id = any(${lockOrder}::uuid[]) order by id for no key update`.execute(trx);
      await applyRollups(trx, hits); // after the lock, before the update: reads the emails as they were
      await updateEmails(trx, totals);
    });
  };
}

/**
 * The events and their outbox rows in one statement: a data-modifying WITH runs once, whatever the
 * outer insert reads of it. As two statements, the second re-read the events it had just written,
 * a round trip and ~0.6 ms a batch.
 */
async function insertEventsAndOutbox(trx: Kysely<Database>, hits: readonly TrackingHit[]): Promise<void> {
  await sql`
    with e as (
      insert into email_events
        (id, project_id, email_id, type, created_at, ip, user_agent, referer, link_index, url, detail)
      select h.id, m.project_id, m.id, h.type, h.created_at, h.ip, h.user_agent, h.referer, h.link_index, h.url, null
      from unnest(
        ${hits.map((h) => h.id)}::uuid[],
        ${hits.map((h) => h.emailId)}::uuid[],
        ${hits.map((h) => h.type)}::text[],
        ${hits.map((h) => h.createdAt)}::bigint[],
        ${hits.map((h) => h.ip)}::text[],
        ${hits.map((h) => h.userAgent)}::text[],
        ${hits.map((h) => h.referer)}::text[],
        ${hits.map((h) => h.linkIndex)}::integer[],
        ${hits.map((h) => h.url)}::text[]
      ) as h(id, email_id, type, created_at, ip, user_agent, referer, link_index, url)
      join emails m on m.id = h.email_id
      returning id, project_id, type, created_at
    )
    ${eventDeliveries(sql`e`, sql`true`)}`.execute(trx);
}

async function applyRollups(trx: Kysely<Database>, hits: readonly TrackingHit[]): Promise<void> {
  const linkDeltas = emailLinkDeltas(hits);
  const ids = [...new Set(hits.map((h) => h.emailId))];
  const { rows } = await sql<EmailStateRow>`select ${sql.raw(EMAIL_STATE_COLUMNS)} from emails where id = any(${ids}::uuid[])`.execute(trx);
  const before = emailStates(rows, linkDeltas);
  const known = linkDeltas.filter((d) => before.has(d.emailId));
  const firsts: EmailLinkDelta[] = [];
  if (known.length > 0) {
    const { rows: after } = await unnestUpsert(EMAIL_LINK_CLICKS, known, 'returning email_id, link_index, url, clicks').execute(trx);
    const clicks = new Map(
      (after as Array<{ email_id: string; link_index: number; url: string; clicks: number }>).map((r) => [
        `${r.email_id}\u0000${r.link_index}\u0000${r.url}`,
        Number(r.clicks),
      ]),
    );
    for (const d of known) if (clicks.get(`${d.emailId}\u0000${d.linkIndex}\u0000${d.url}`) === d.clicks) firsts.push(d);
  }
  const deltas = hitRollupDeltas(hits, before, firsts, known);
  if (deltas.counts.length > 0) await unnestUpsert(COUNTS, deltas.counts).execute(trx);
  if (deltas.clients.length > 0) await unnestUpsert(CLIENTS, deltas.clients).execute(trx);
  if (deltas.links.length > 0) await unnestUpsert(LINKS, deltas.links).execute(trx);
}

/** least() ignores NULLs: the earliest of the stored and the batch's first time. */
async function updateEmails(trx: Kysely<Database>, totals: readonly HitTotals[]): Promise<void> {
  await sql`
    update emails as e set
      open_count = e.open_count + t.opens,
      click_count = e.click_count + t.clicks,
      opened_at = least(e.opened_at, t.first_open_at),
      clicked_at = least(e.clicked_at, t.first_click_at),
      last_event = case when e.last_event_at is null or e.last_event_at < t.last_at then t.last_type else e.last_event end,
      last_event_at = case when e.last_event_at is null or e.last_event_at < t.last_at then t.last_at else e.last_event_at end
    from unnest(
      ${totals.map((t) => t.emailId)}::uuid[],
      ${totals.map((t) => t.opens)}::integer[],
      ${totals.map((t) => t.clicks)}::integer[],
      ${totals.map((t) => t.firstOpenAt)}::bigint[],
      ${totals.map((t) => t.firstClickAt)}::bigint[],
      ${totals.map((t) => t.lastType)}::text[],
      ${totals.map((t) => t.lastAt)}::bigint[]
    ) as t(email_id, opens, clicks, first_open_at, first_click_at, last_type, last_at)
    where e.id = t.email_id`.execute(trx);
}
