import type { EmailRollupState } from '../../../core/analytics/rollups.js';
import type { EmailLink, EmailTag } from '../../../core/model.js';
import type { JournalMark } from '../../../ports/journal-position.js';
import type { TrackingHit } from '../../../ports/store.js';
import { normalizeId, requireId } from '../rows.js';

/**
 * What one batch of tracking hits writes, in ONE transaction, resolving only after COMMIT (the
 * group commit; a hit is answered once its batch is durable):
 *
 * 1. analytics rollups (`analytics_rollups`, `analytics_link_rollups`, `analytics_client_rollups`
 *    and the per-email `email_link_clicks`), from the emails as they were BEFORE the batch, so a
 *    first open or first click of an email counts once;
 * 2. each email's counters, first-open and first-click times and last event ({@link HitTotals});
 * 3. one `email_events` row per hit, its project taken from the email (a hit for an email that
 *    does not exist is dropped);
 * 4. the webhook outbox: a `webhook_deliveries` row per event and subscribed endpoint (outbox.ts);
 * 5. for hits read from a node's journal, the journal's new position (journal-positions.ts), first:
 *    a batch already ingested finds the position past it and rolls back, so no hit counts twice.
 *    Such a batch need not be durable at once (SQLite commits it without an fsync): its hits stay
 *    in the journal until the ingester has called syncIngested.
 *
 * Each backend owns its whole transaction in one file (sqlite.ts, postgres.ts), ordered for its
 * own locking; both compute the same totals and rollup deltas from this module and the core.
 */
export interface HitBatch {
  /** Validated: canonical lowercase UUIDs, type opened or clicked, integer times. */
  hits: readonly TrackingHit[];
  /** Hits of aggregate-only emails (`emailId` holds the cohort id): counted in the rollups only. */
  aggregate: readonly TrackingHit[];
  /** One entry per distinct email of the batch. */
  totals: readonly HitTotals[];
  /** The journal these hits were read from, and the position after them. */
  journal?: JournalMark;
}

/** Writes one batch in one transaction. */
export type HitBatchWriter = (batch: HitBatch) => Promise<void>;

/** What a batch of hits does to one email. */
export interface HitTotals {
  emailId: string;
  opens: number;
  clicks: number;
  /** Earliest open in the batch, or null. */
  firstOpenAt: number | null;
  /** Earliest click in the batch, or null. */
  firstClickAt: number | null;
  /** Latest hit of the batch (on equal times, the later one in the batch). */
  lastType: 'opened' | 'clicked';
  lastAt: number;
}

/**
 * Checks a batch and computes its totals. Throws on a hit the caller should never have made (bad
 * id, type or time); a malformed email id names no email, so that hit is dropped like an unknown one.
 * Returns null when nothing is left to write (no hit, no journal position).
 */
export function hitBatch(hits: readonly TrackingHit[], journal?: JournalMark): HitBatch | null {
  const valid: TrackingHit[] = [];
  const aggregate: TrackingHit[] = [];
  for (const hit of hits) {
    const id = requireId(hit.id, 'hit id');
    if (hit.type !== 'opened' && hit.type !== 'clicked') {
      throw new TypeError(`Invalid hit type ${JSON.stringify(hit.type)}`);
    }
    if (!Number.isSafeInteger(hit.createdAt)) {
      throw new TypeError(`Invalid hit time ${String(hit.createdAt)}`);
    }
    const emailId = normalizeId(hit.emailId);
    if (emailId === undefined) continue;
    (hit.aggregate === true ? aggregate : valid).push(id === hit.id && emailId === hit.emailId ? hit : { ...hit, id, emailId });
  }
  if (valid.length === 0 && aggregate.length === 0 && journal === undefined) return null;
  return { hits: valid, aggregate, totals: totalsOf(valid), ...(journal && { journal }) };
}

function totalsOf(hits: readonly TrackingHit[]): HitTotals[] {
  const byEmail = new Map<string, HitTotals>();
  for (const hit of hits) {
    let t = byEmail.get(hit.emailId);
    if (t === undefined) {
      t = {
        emailId: hit.emailId,
        opens: 0,
        clicks: 0,
        firstOpenAt: null,
        firstClickAt: null,
        lastType: hit.type,
        lastAt: hit.createdAt,
      };
      byEmail.set(hit.emailId, t);
    }
    if (hit.type === 'opened') {
      t.opens += 1;
      if (t.firstOpenAt === null || hit.createdAt < t.firstOpenAt) t.firstOpenAt = hit.createdAt;
    } else {
      t.clicks += 1;
      if (t.firstClickAt === null || hit.createdAt < t.firstClickAt) t.firstClickAt = hit.createdAt;
    }
    if (hit.createdAt >= t.lastAt) {
      t.lastAt = hit.createdAt;
      t.lastType = hit.type;
    }
  }
  return [...byEmail.values()];
}

/**
 * The email columns the rollups and labels are computed from, selected by each backend before its
 * update, in the order {@link emailStateRow} reads them.
 */
export const EMAIL_STATE_COLUMNS =
  'id, project_id, created_at, domain_id, tags, links, open_count, click_count, machine_open_count, machine_click_count, last_event_at, last_human_hit_at';

/** An email's state read as an array of {@link EMAIL_STATE_COLUMNS}. */
export function emailStateRow(v: readonly unknown[]): EmailStateRow {
  return {
    id: v[0] as string,
    project_id: v[1] as string,
    created_at: v[2] as number,
    domain_id: v[3] as string | null,
    tags: v[4] as string,
    links: v[5] as string,
    open_count: v[6] as number,
    click_count: v[7] as number,
    machine_open_count: v[8] as number,
    machine_click_count: v[9] as number,
    last_event_at: v[10] as number | null,
    last_human_hit_at: v[11] as number | null,
  };
}

export interface EmailStateRow {
  id: string;
  project_id: string;
  created_at: number;
  domain_id: string | null;
  tags: string;
  links: string;
  open_count: number;
  click_count: number;
  machine_open_count: number;
  machine_click_count: number;
  last_event_at: number | null;
  last_human_hit_at: number | null;
}

/** The emails' state before the batch; links are parsed only for the emails clicked in it. */
export function emailStates(rows: readonly EmailStateRow[], withLinks: ReadonlySet<string>): Map<string, EmailRollupState> {
  const states = new Map<string, EmailRollupState>();
  for (const r of rows) {
    states.set(r.id, {
      emailId: r.id,
      projectId: r.project_id,
      createdAt: Number(r.created_at),
      domainId: r.domain_id,
      tags: JSON.parse(r.tags) as EmailTag[],
      openCount: Number(r.open_count),
      clickCount: Number(r.click_count),
      machineOpenCount: Number(r.machine_open_count),
      machineClickCount: Number(r.machine_click_count),
      links: withLinks.has(r.id) ? (JSON.parse(r.links) as EmailLink[]) : [],
    });
  }
  return states;
}

/** The emails whose links the rollups need: clicked in the batch, or with a stored click read back. */
export function emailsWithClicks(hits: readonly TrackingHit[], stored: ReadonlyArray<{ email_id: string; type: string }>): Set<string> {
  const out = new Set<string>();
  for (const h of hits) if (h.type === 'clicked') out.add(h.emailId);
  for (const r of stored) if (r.type === 'clicked') out.add(r.email_id);
  return out;
}

/**
 * Reads an email's first human open and click, and its last human hit, again from its events
 * (`update emails` + a where clause), after a stored hit changed sides. Rare: only then is the index on email_id needed.
 */
export const HUMAN_TIMES_SQL = `update emails set
  human_opened_at = (select min(created_at) from email_events
    where email_id = emails.id and type in ('opened', 'clicked') and classification = 'human'),
  human_clicked_at = (select min(created_at) from email_events
    where email_id = emails.id and type = 'clicked' and classification = 'human'),
  last_human_hit_at = (select max(created_at) from email_events
    where email_id = emails.id and type in ('opened', 'clicked') and classification = 'human')`;
