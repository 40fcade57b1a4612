import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { emailLinkDeltas, emailLinkKey, hitRollupDeltas } from '../../../core/analytics/rollups.js';
import type { EmailLinkState, EmailRollupState, RollupHit } from '../../../core/analytics/rollups.js';
import { StaleJournalPosition, advancePosition } from '../journal-positions.js';
import { eventDeliveries } from '../outbox.js';
import { CLIENTS, COUNTS, EMAIL_LINK_CLICKS, LINKS, unnestUpsert } from '../rollup-upserts.js';
import type { Database } from '../schema.js';
import { COHORT_COLUMNS, aggregateDeltas } from './aggregate.js';
import type { CohortRow } from './aggregate.js';
import { EMAIL_STATE_COLUMNS, HUMAN_TIMES_SQL, emailStates, emailsWithClicks } from './batch.js';
import type { EmailStateRow, HitBatchWriter, HitTotals } from './batch.js';
import type { TrackingHit } from '../../../core/model.js';
import { MAX_STORED_CONTEXT, STORED_HIT_COLUMNS, contextRanges, createdAtOf, inRanges, labelBatch, ownLabels } from './labels.js';
import type { HumanTotals, LabelledHit, Relabel, StoredHitRow, StoredRange } from './labels.js';

/**
 * PostgreSQL's hit batch (see batch.ts for what it writes): one transaction of a fixed number of
 * statements, whatever the batch's size, each taking the whole batch as arrays.
 */
export function postgresHitWriter(db: Kysely<Database>): HitBatchWriter {
  return async ({ hits, aggregate, totals, journal }) => {
    // Emails are locked in id order so that two nodes committing batches that touch the same
    // emails cannot deadlock. NO KEY UPDATE (what the UPDATE takes anyway) does not block the
    // FOR KEY SHARE locks that the events' foreign-key checks take.
    const lockOrder = totals.map((t) => t.emailId).sort();
    await db.transaction().execute(async (trx) => {
      // First: the row lock also keeps a second ingester of the same journal waiting here.
      if (journal !== undefined && (await advancePosition(journal, Date.now()).execute(trx)).rows.length === 0) {
        throw new StaleJournalPosition(journal);
      }
      if (aggregate.length > 0) await applyAggregate(trx, aggregate);
      if (hits.length === 0) return;
      // The lock also gives the emails as they were before the batch, and keeps another node's
      // batch of the same emails out until this one commits (so the context rules see its hits).
      const { rows } = await sql<EmailStateRow>`
        select ${sql.raw(EMAIL_STATE_COLUMNS)} from emails where id = any(${lockOrder}::uuid[]) order by id for no key update`.execute(trx);
      const own = ownLabels(hits, createdAtOf(rows));
      const stored = await storedHits(trx, contextRanges(hits, own, rows));
      const before = emailStates(rows, emailsWithClicks(hits, stored));
      const labelled = labelBatch(hits, before, stored, own);
      await insertEventsAndOutbox(trx, labelled.hits);
      const moved = labelled.relabels.filter((r) => r.moves);
      await applyRollups(trx, labelled.hits, moved, before);
      await updateEmails(trx, totals, new Map(labelled.totals.map((t) => [t.emailId, t])));
      await relabelEvents(trx, labelled.relabels, labelled.totals);
    });
  };
}

async function applyAggregate(trx: Kysely<Database>, hits: readonly TrackingHit[]): Promise<void> {
  const ids = [...new Set(hits.map((h) => h.emailId))];
  const { rows } = await sql<CohortRow>`select ${sql.raw(COHORT_COLUMNS)} from aggregate_cohorts where id = any(${ids}::uuid[])`.execute(trx);
  const deltas = aggregateDeltas(hits, rows);
  if (deltas.counts.length > 0) await unnestUpsert(COUNTS, deltas.counts).execute(trx);
  if (deltas.clients.length > 0) await unnestUpsert(CLIENTS, deltas.clients).execute(trx);
  if (deltas.links.length > 0) await unnestUpsert(LINKS, deltas.links).execute(trx);
}

async function storedHits(trx: Kysely<Database>, ranges: readonly StoredRange[]): Promise<StoredHitRow[]> {
  if (ranges.length === 0) return [];
  const { rows } = await sql<StoredHitRow>`
    select e.*
    from unnest(
      ${ranges.map((r) => r.emailId)}::uuid[],
      ${ranges.map((r) => r.minId)}::uuid[],
      ${ranges.map((r) => r.from)}::bigint[],
      ${ranges.map((r) => r.to)}::bigint[]
    ) as r(email_id, min_id, since, until)
    cross join lateral (
      select ${sql.raw(STORED_HIT_COLUMNS)} from email_events
      where email_id = r.email_id and id >= r.min_id and type in ('opened', 'clicked')
      order by id desc limit ${sql.lit(MAX_STORED_CONTEXT)}
    ) e`.execute(trx);
  return inRanges(rows, ranges);
}

/**
 * The events and their outbox rows in one statement: a data-modifying WITH runs once, whatever the
 * outer insert reads of it. As two statements, the second re-read the events it had just written,
 * a round trip and ~0.6 ms a batch.
 */
async function insertEventsAndOutbox(trx: Kysely<Database>, hits: readonly LabelledHit[]): Promise<void> {
  await sql`
    with e as (
      insert into email_events
        (id, project_id, email_id, type, created_at, ip, user_agent, referer, link_index, url, detail, classification, proxy, signals)
      select h.id, m.project_id, m.id, h.type, h.created_at, h.ip, h.user_agent, h.referer, h.link_index, h.url, null,
        h.classification, h.proxy, h.signals
      from json_to_recordset(${JSON.stringify(
        hits.map((h) => ({
          id: h.id,
          email_id: h.emailId,
          type: h.type,
          created_at: h.createdAt,
          ip: h.ip,
          user_agent: h.userAgent,
          referer: h.referer,
          link_index: h.linkIndex,
          url: h.url,
          classification: h.label.classification,
          proxy: h.label.proxy,
          signals: h.signals,
        })),
      )}::json) as h(id uuid, email_id uuid, type text, created_at bigint, ip text, user_agent text, referer text, link_index integer,
        url text, classification text, proxy text, signals text)
      join emails m on m.id = h.email_id
      returning id, project_id, type, created_at, classification
    )
    ${eventDeliveries(sql`e`, sql`true`)}`.execute(trx);
}

async function applyRollups(
  trx: Kysely<Database>,
  hits: readonly RollupHit[],
  relabels: readonly RollupHit[],
  before: ReadonlyMap<string, EmailRollupState>,
): Promise<void> {
  const linkDeltas = emailLinkDeltas(hits, relabels).filter((d) => before.has(d.emailId));
  const linksBefore = new Map<string, EmailLinkState>();
  if (linkDeltas.length > 0) {
    const { rows: after } = await unnestUpsert(EMAIL_LINK_CLICKS, linkDeltas, 'returning email_id, link_index, url, clicks, machine_clicks').execute(trx);
    const deltaOf = new Map(linkDeltas.map((d) => [emailLinkKey(d.emailId, d.linkIndex, d.url), d]));
    for (const r of after as Array<{ email_id: string; link_index: number; url: string; clicks: number; machine_clicks: number }>) {
      const key = emailLinkKey(r.email_id, r.link_index, r.url);
      const d = deltaOf.get(key)!;
      linksBefore.set(key, { clicks: Number(r.clicks) - d.clicks, machineClicks: Number(r.machine_clicks) - d.machineClicks });
    }
  }
  const deltas = hitRollupDeltas(hits, before, linksBefore, linkDeltas, relabels);
  if (deltas.counts.length > 0) await unnestUpsert(COUNTS, deltas.counts).execute(trx);
  if (deltas.clients.length > 0) await unnestUpsert(CLIENTS, deltas.clients).execute(trx);
  if (deltas.links.length > 0) await unnestUpsert(LINKS, deltas.links).execute(trx);
}

/** least() and greatest() ignore NULLs: the earliest (latest) of the stored and the batch's time. */
async function updateEmails(trx: Kysely<Database>, totals: readonly HitTotals[], human: ReadonlyMap<string, HumanTotals>): Promise<void> {
  await sql`
    update emails as e set
      open_count = e.open_count + t.opens,
      click_count = e.click_count + t.clicks,
      machine_open_count = e.machine_open_count + t.machine_opens,
      machine_click_count = e.machine_click_count + t.machine_clicks,
      opened_at = least(e.opened_at, t.first_open_at),
      clicked_at = least(e.clicked_at, t.first_click_at),
      human_opened_at = least(e.human_opened_at, t.first_human_open_at),
      human_clicked_at = least(e.human_clicked_at, t.first_human_click_at),
      last_human_hit_at = greatest(e.last_human_hit_at, t.last_human_at),
      last_event = case when e.last_event_at is null or e.last_event_at < t.last_at then t.last_type else e.last_event end,
      last_event_at = case when e.last_event_at is null or e.last_event_at < t.last_at then t.last_at else e.last_event_at end
    from json_to_recordset(${JSON.stringify(
      totals.map((t) => {
        const x = human.get(t.emailId);
        return {
          email_id: t.emailId,
          opens: t.opens,
          clicks: t.clicks,
          machine_opens: x?.machineOpens ?? 0,
          machine_clicks: x?.machineClicks ?? 0,
          first_open_at: t.firstOpenAt,
          first_click_at: t.firstClickAt,
          first_human_open_at: x?.firstHumanOpenAt ?? null,
          first_human_click_at: x?.firstHumanClickAt ?? null,
          last_human_at: x?.lastHumanAt ?? null,
          last_type: t.lastType,
          last_at: t.lastAt,
        };
      }),
    )}::json) as t(email_id uuid, opens integer, clicks integer, machine_opens integer, machine_clicks integer, first_open_at bigint,
      first_click_at bigint, first_human_open_at bigint, first_human_click_at bigint, last_human_at bigint, last_type text, last_at bigint)
    where e.id = t.email_id`.execute(trx);
}

/** Stored hits the batch relabelled, then the first human times of the emails whose hits changed sides. */
async function relabelEvents(trx: Kysely<Database>, relabels: readonly Relabel[], totals: readonly HumanTotals[]): Promise<void> {
  if (relabels.length === 0) return;
  await sql`
    update email_events as e set classification = r.classification, proxy = r.proxy, signals = r.signals
    from unnest(
      ${relabels.map((r) => r.id)}::uuid[],
      ${relabels.map((r) => r.label.classification)}::text[],
      ${relabels.map((r) => r.label.proxy)}::text[],
      ${relabels.map((r) => r.signals)}::text[]
    ) as r(id, classification, proxy, signals)
    where e.id = r.id`.execute(trx);
  const recompute = totals.filter((t) => t.recompute).map((t) => t.emailId);
  if (recompute.length > 0) await sql`${sql.raw(HUMAN_TIMES_SQL)} where id = any(${recompute}::uuid[])`.execute(trx);
}
