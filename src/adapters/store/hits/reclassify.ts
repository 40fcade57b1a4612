import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { emailLinkDeltas, emailLinkKey, hitRollupDeltas } from '../../../core/analytics/rollups.js';
import type { EmailLinkState, RollupHit } from '../../../core/analytics/rollups.js';
import { contextLabels } from '../../../core/classification/context.js';
import { CLASSIFIER_VERSION, isHuman } from '../../../core/classification/labels.js';
import type { ContextHit, HitLabel } from '../../../core/classification/labels.js';
import { encodeSignals } from '../../../core/classification/signals.js';
import { CLIENTS, COUNTS, EMAIL_LINK_CLICKS, LINKS, multiRowUpsert } from '../rollup-upserts.js';
import type { Upsert } from '../rollup-upserts.js';
import type { Backend, Database } from '../schema.js';
import { EMAIL_STATE_COLUMNS, HUMAN_TIMES_SQL, emailStates } from './batch.js';
import type { EmailStateRow } from './batch.js';
import { STORED_HIT_COLUMNS, ownLabel, storedHit } from './labels.js';
import type { KeptFacts, StoredHitRow } from './labels.js';

export interface ReclassifyPage {
  /** Emails looked at, and the last one (the cursor of the next page); null when none was left. */
  emails: number;
  last: string | null;
  /** Stored hits read, and those whose labels changed. */
  hits: number;
  changed: number;
}

/**
 * Applies the current rules to the stored hits of the next `limit` emails after `after` (by id):
 * every hit labelled again at once, its own rules then the context rules, and where a hit
 * changes sides its counts move in the emails and the rollups, in one transaction per page.
 * Hits deleted by retention are gone: what they counted stays as it was.
 */
export async function reclassifyPage(db: Kysely<Database>, backend: Backend, after: string | null, limit: number): Promise<ReclassifyPage> {
  return db.transaction().execute(async (trx) => {
    let q = trx.selectFrom('emails').select('id').orderBy('id').limit(limit);
    if (after !== null) q = q.where('id', '>', after);
    const ids = (await q.execute()).map((r) => r.id);
    if (ids.length === 0) return { emails: 0, last: null, hits: 0, changed: 0 };
    const lock = backend === 'postgres' ? sql` order by id for no key update` : sql``;
    const { rows } = await sql<EmailStateRow>`select ${sql.raw(EMAIL_STATE_COLUMNS)} from emails where id in (${sql.join(ids)})${lock}`.execute(trx);
    const { rows: stored } = await sql<StoredHitRow>`
      select ${sql.raw(STORED_HIT_COLUMNS)} from email_events
      where email_id in (${sql.join(ids)}) and type in ('opened', 'clicked')`.execute(trx);
    const states = emailStates(rows, new Set(stored.filter((r) => r.type === 'clicked').map((r) => r.email_id)));

    const byEmail = new Map<string, Array<{ row: StoredHitRow; hit: ContextHit; stored: HitLabel; facts: KeptFacts }>>();
    for (const row of stored) {
      const state = states.get(row.email_id);
      if (state === undefined) continue;
      const { hit: kept, facts } = storedHit(row, row.type as 'opened' | 'clicked');
      // Labelled again from its facts; the stored label is what it moves from.
      const hit: ContextHit = { ...kept, label: ownLabel({ ...kept, ...facts }, kept.createdAt - state.createdAt) };
      let list = byEmail.get(row.email_id);
      if (list === undefined) byEmail.set(row.email_id, (list = []));
      list.push({ row, hit, stored: kept.label, facts });
    }

    let changed = 0;
    const moved: RollupHit[] = [];
    const machine = new Map<string, { opens: number; clicks: number }>();
    for (const [emailId, list] of byEmail) {
      const context = contextLabels(list.map((e) => e.hit));
      for (const e of list) {
        const label = context.get(e.hit.id) ?? e.hit.label;
        const signals = encodeSignals({ version: CLASSIFIER_VERSION, rules: label.rules, ...e.facts });
        if (label.classification === e.stored.classification && label.proxy === e.stored.proxy && signals === e.row.signals) continue;
        changed += 1;
        await trx
          .updateTable('email_events')
          .set({ classification: label.classification, proxy: label.proxy, signals })
          .where('id', '=', e.row.id)
          .execute();
        if (isHuman(label) === isHuman(e.stored)) continue;
        const human = isHuman(label);
        moved.push({ emailId, type: e.hit.type, userAgent: e.row.user_agent, linkIndex: e.row.link_index, url: e.row.url, human });
        let m = machine.get(emailId);
        if (m === undefined) machine.set(emailId, (m = { opens: 0, clicks: 0 }));
        if (e.hit.type === 'opened') m.opens += human ? -1 : 1;
        else m.clicks += human ? -1 : 1;
      }
    }

    if (moved.length > 0) {
      const linkDeltas = emailLinkDeltas([], moved);
      const linksBefore = new Map<string, EmailLinkState>();
      const clickedEmails = [...new Set(linkDeltas.map((d) => d.emailId))];
      const linkRows =
        clickedEmails.length === 0
          ? []
          : await trx
              .selectFrom('email_link_clicks')
              .select(['email_id', 'link_index', 'url', 'clicks', 'machine_clicks'])
              .where('email_id', 'in', clickedEmails)
              .execute();
      for (const r of linkRows) {
        linksBefore.set(emailLinkKey(r.email_id, Number(r.link_index), r.url), { clicks: Number(r.clicks), machineClicks: Number(r.machine_clicks) });
      }
      const deltas = hitRollupDeltas([], states, linksBefore, linkDeltas, moved);
      await upsertAll(trx, EMAIL_LINK_CLICKS, linkDeltas);
      await upsertAll(trx, COUNTS, deltas.counts);
      await upsertAll(trx, LINKS, deltas.links);
      await upsertAll(trx, CLIENTS, deltas.clients);
      for (const [emailId, m] of machine) {
        await sql`update emails set machine_open_count = machine_open_count + ${m.opens}, machine_click_count = machine_click_count + ${m.clicks}
          where id = ${emailId}`.execute(trx);
      }
      await sql`${sql.raw(HUMAN_TIMES_SQL)} where id in (${sql.join([...machine.keys()])})`.execute(trx);
    }
    return { emails: ids.length, last: ids[ids.length - 1]!, hits: stored.length, changed };
  });
}

async function upsertAll<T>(trx: Kysely<Database>, u: Upsert<T>, rows: readonly T[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await multiRowUpsert(u, rows.slice(i, i + 200)).execute(trx);
}
