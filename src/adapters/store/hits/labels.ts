import type { EmailRollupState } from '../../../core/analytics/rollups.js';
import { CONTEXT_WINDOW_MS, contextChanges } from '../../../core/classification/context.js';
import { CLASSIFIER_VERSION, isHuman } from '../../../core/classification/labels.js';
import type { ContextHit, HitClassification, HitLabel, HitProxy } from '../../../core/classification/labels.js';
import { classifyHit } from '../../../core/classification/rules.js';
import { decodeSignals, encodeSignals } from '../../../core/classification/signals.js';
import { isTrapClick } from '../../../core/classification/trap.js';
import type { HitSignals, TrackingHit } from '../../../core/model.js';
import { emailsWithClicks } from './batch.js';
import type { EmailStateRow } from './batch.js';

/**
 * The labels of a batch of hits (see core/classification): each hit's own rules first, then the
 * context rules over the email's hits around it, stored ones included. A stored hit that the
 * batch shows to be a machine's is relabelled in the same transaction, its counts moved with it.
 */

export interface LabelledHit extends Pick<TrackingHit, 'id' | 'emailId' | 'type' | 'createdAt' | 'ip' | 'userAgent' | 'referer' | 'linkIndex' | 'url'> {
  label: HitLabel;
  /** encodeSignals of the label's rules and the facts they read. */
  signals: string;
  /** isHuman(label). */
  human: boolean;
}

/** A stored hit as the context rules read it back. */
export interface StoredHitRow {
  id: string;
  email_id: string;
  type: string;
  created_at: number;
  ip: string | null;
  user_agent: string | null;
  link_index: number | null;
  url: string | null;
  classification: string | null;
  proxy: string | null;
  signals: string | null;
}

/**
 * Most stored hits read back per email and batch, the latest first. More than this many hits of
 * one message within seconds is a machine's traffic whatever the rules say; the bound keeps such
 * a storm from making every batch read thousands of rows.
 */
export const MAX_STORED_CONTEXT = 64;

/** The columns of {@link StoredHitRow}, in the order {@link storedHitRow} reads them. */
export const STORED_HIT_COLUMNS = 'id, email_id, type, created_at, ip, user_agent, link_index, url, classification, proxy, signals';

/** A stored hit read as an array of {@link STORED_HIT_COLUMNS}. */
export function storedHitRow(v: readonly unknown[]): StoredHitRow {
  return {
    id: v[0] as string,
    email_id: v[1] as string,
    type: v[2] as string,
    created_at: v[3] as number,
    ip: v[4] as string | null,
    user_agent: v[5] as string | null,
    link_index: v[6] as number | null,
    url: v[7] as string | null,
    classification: v[8] as string | null,
    proxy: v[9] as string | null,
    signals: v[10] as string | null,
  };
}

/** A stored hit whose label changes. */
export interface Relabel {
  id: string;
  emailId: string;
  type: 'opened' | 'clicked';
  userAgent: string | null;
  linkIndex: number | null;
  url: string | null;
  label: HitLabel;
  /** isHuman(label): the side it moves to when it `moves`. */
  human: boolean;
  signals: string;
  /** It changes sides (person to machine or back), so counts move. */
  moves: boolean;
}

/** What the batch does to an email's machine counts and first human times. */
export interface HumanTotals {
  emailId: string;
  machineOpens: number;
  machineClicks: number;
  /** Earliest human open or click of the batch. */
  firstHumanOpenAt: number | null;
  firstHumanClickAt: number | null;
  /** Latest human open or click of the batch. */
  lastHumanAt: number | null;
  /** A stored hit changed sides: the first human times are read again from the events. */
  recompute: boolean;
}

export interface StoredRange {
  emailId: string;
  from: number;
  to: number;
  /**
   * No hit of the range has a smaller id: ids are UUIDv7 minted at the hit, so their time prefix
   * is never far before the hit's time (a minute of margin). With the index on (email_id, id), the
   * store reads back from the newest hit and stops after MAX_STORED_CONTEXT, however many the
   * email has.
   */
  minId: string;
}

const ID_MARGIN_MS = 60_000;

/** The smallest UUIDv7 of a millisecond. */
function firstIdAt(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/**
 * Per email, the times whose stored hits the context rules need: those within the window of the
 * batch's hits. None when the email's last stored hit is older than that, or when neither the
 * batch nor the store has a click of it: every context rule relates a click to another hit. None
 * either when every hit that could be related is a machine's: the rules only relabel a person's
 * hit, so when the batch's own labels of the email (`labels`, by index) are all a machine's and
 * its last human hit is older than the window, nothing can change. Most hits are opens of emails
 * nobody clicked, so most batches read nothing back.
 */
export function contextRanges(hits: readonly TrackingHit[], labels: readonly HitLabel[], rows: readonly EmailStateRow[]): StoredRange[] {
  const stored = new Map(rows.map((r) => [r.id, r]));
  const spans = new Map<string, { emailId: string; from: number; to: number; clicked: boolean; human: boolean }>();
  hits.forEach((h, i) => {
    const human = isHuman(labels[i]!);
    const span = spans.get(h.emailId);
    if (span === undefined) spans.set(h.emailId, { emailId: h.emailId, from: h.createdAt, to: h.createdAt, clicked: h.type === 'clicked', human });
    else {
      span.from = Math.min(span.from, h.createdAt);
      span.to = Math.max(span.to, h.createdAt);
      span.clicked ||= h.type === 'clicked';
      span.human ||= human;
    }
  });
  const out: StoredRange[] = [];
  for (const span of spans.values()) {
    const row = stored.get(span.emailId);
    if (row === undefined || row.last_event_at === null || Number(row.last_event_at) < span.from - CONTEXT_WINDOW_MS) continue;
    if (!span.clicked && Number(row.click_count) === 0) continue;
    if (!span.human && (row.last_human_hit_at === null || Number(row.last_human_hit_at) < span.from - CONTEXT_WINDOW_MS)) continue;
    const from = span.from - CONTEXT_WINDOW_MS;
    out.push({ emailId: span.emailId, from, to: span.to + CONTEXT_WINDOW_MS, minId: firstIdAt(from - ID_MARGIN_MS) });
  }
  return out;
}

/**
 * The stored hits within their email's range. The stores read by email and id only (the newest
 * first, up to MAX_STORED_CONTEXT): with the time range in SQL, PostgreSQL's planner ANDs in the
 * index on created_at, which walks every recent event of every email, about 0.4 ms per email.
 */
export function inRanges(rows: readonly StoredHitRow[], ranges: readonly StoredRange[]): StoredHitRow[] {
  const byEmail = new Map(ranges.map((r) => [r.emailId, r]));
  return rows.filter((row) => {
    const r = byEmail.get(row.email_id);
    const at = Number(row.created_at);
    return r !== undefined && at >= r.from && at <= r.to;
  });
}

/** What a hit's signals keep of the facts its own rules read. */
export type KeptFacts = Pick<HitSignals, 'method' | 'ipList'>;

/** A hit labelled by its own rules, from the facts it carries (absent: a GET on no list). */
export function ownLabel(
  hit: Pick<TrackingHit, 'type' | 'userAgent' | 'linkIndex'> & Partial<KeptFacts>,
  sinceSentMs: number | null,
): HitLabel {
  return classifyHit({
    type: hit.type,
    method: hit.method ?? 'GET',
    userAgent: hit.userAgent,
    ipList: hit.ipList ?? null,
    sinceSentMs,
    trap: isTrapClick(hit),
  });
}

/** Each hit labelled by its own rules, its email's send time from `createdAtOf` (unknown: null). */
export function ownLabels(hits: readonly TrackingHit[], createdAtOf: (emailId: string) => number | undefined): HitLabel[] {
  return hits.map((h) => {
    const createdAt = createdAtOf(h.emailId);
    return ownLabel(h, createdAt === undefined ? null : h.createdAt - createdAt);
  });
}

/** The send times of the emails read, for {@link ownLabels}. */
export function createdAtOf(rows: readonly EmailStateRow[]): (emailId: string) => number | undefined {
  const times = new Map(rows.map((r) => [r.id, Number(r.created_at)]));
  return (emailId) => times.get(emailId);
}

/** A stored open or click as the context rules see it, with the label it was stored with, and its facts. */
export function storedHit(row: StoredHitRow, type: 'opened' | 'clicked'): { hit: ContextHit; facts: KeptFacts } {
  const signals = decodeSignals(row.signals);
  return { hit: contextHitOf(row, type, signals?.rules ?? []), facts: { method: signals?.method ?? 'GET', ipList: signals?.ipList ?? null } };
}

function contextHitOf(row: StoredHitRow, type: 'opened' | 'clicked', rules: string[]): BatchContextHit {
  return {
    own: -1,
    row,
    id: row.id,
    type,
    createdAt: Number(row.created_at),
    ip: row.ip,
    userAgent: row.user_agent,
    linkIndex: row.link_index,
    trap: isTrapClick({ type, linkIndex: row.link_index }),
    label: {
      classification: (row.classification ?? 'human') as HitClassification,
      proxy: (row.proxy ?? null) as HitProxy | null,
      rules,
    },
  };
}

/**
 * Labels a batch, from its hits' own labels (by index; {@link ownLabels}, computed from `states`
 * when not given). Every object it returns is built once with its final label and never written
 * again: an object spread and then assigned to gets a map of its own in V8, which turns every
 * later property read of these hits megamorphic (measured: about a third of the hit path's CPU).
 */
export function labelBatch(
  hits: readonly TrackingHit[],
  states: ReadonlyMap<string, EmailRollupState>,
  stored: readonly StoredHitRow[],
  own: readonly HitLabel[] = ownLabels(hits, (emailId) => states.get(emailId)?.createdAt),
): { hits: LabelledHit[]; relabels: Relabel[]; totals: HumanTotals[] } {
  const labels = [...own];
  // Every context rule relates a click to another hit: only emails with a click need a context.
  const clicked = emailsWithClicks(hits, stored);
  const relabels = clicked.size === 0 ? [] : applyContext(hits, labels, stored, clicked);
  const labelled = hits.map((h, i) => labelledHit(h, labels[i]!));
  return { hits: labelled, relabels, totals: humanTotals(labelled, relabels, states) };
}

function labelledHit(h: TrackingHit, label: HitLabel): LabelledHit {
  return {
    id: h.id,
    emailId: h.emailId,
    type: h.type,
    createdAt: h.createdAt,
    ip: h.ip,
    userAgent: h.userAgent,
    referer: h.referer,
    linkIndex: h.linkIndex,
    url: h.url,
    label,
    signals: encodeSignals({ version: CLASSIFIER_VERSION, rules: label.rules, method: h.method ?? 'GET', ipList: h.ipList ?? null }),
    human: isHuman(label),
  };
}

/** A hit in a batch's context: the batch's own (by index) or a stored one (its row). */
interface BatchContextHit extends ContextHit {
  own: number;
  row: StoredHitRow | null;
}

/**
 * What a stored hit's label reads before the context rules change it: the rules come from its
 * signals. Shared by every such label, so frozen: a push would throw rather than reach them all.
 */
const UNREAD_RULES = Object.freeze([]) as unknown as string[];

/**
 * The context rules over each clicked email's hits, stored ones included: updates `labels` (the
 * batch's own, by index) and returns the stored hits whose label changes.
 */
function applyContext(hits: readonly TrackingHit[], labels: HitLabel[], stored: readonly StoredHitRow[], emails: ReadonlySet<string>): Relabel[] {
  const byEmail = new Map<string, BatchContextHit[]>();
  const context = (emailId: string): BatchContextHit[] => {
    let list = byEmail.get(emailId);
    if (list === undefined) byEmail.set(emailId, (list = []));
    return list;
  };
  const ownIds = new Set<string>();
  hits.forEach((h, i) => {
    if (!emails.has(h.emailId)) return;
    ownIds.add(h.id);
    const trap = isTrapClick(h);
    context(h.emailId).push({ id: h.id, type: h.type, createdAt: h.createdAt, ip: h.ip, userAgent: h.userAgent, linkIndex: h.linkIndex, trap, label: labels[i]!, own: i, row: null });
  });
  for (const r of stored) {
    if (!emails.has(r.email_id) || (r.type !== 'opened' && r.type !== 'clicked')) continue;
    if (ownIds.has(r.id)) continue; // already this batch's own
    // The stored rules are read only if the hit is relabelled: most never are.
    context(r.email_id).push(contextHitOf(r, r.type, UNREAD_RULES));
  }

  const relabels: Relabel[] = [];
  for (const list of byEmail.values()) {
    if (list.length < 2 || !list.some((h) => h.type === 'clicked')) continue;
    for (const [hit, label] of contextChanges(list)) {
      if (hit.row === null) {
        labels[hit.own] = label;
        continue;
      }
      const { hit: kept, facts } = storedHit(hit.row, hit.type);
      // The context rules were appended to a label read without its stored rules.
      const relabelled: HitLabel = { ...label, rules: [...kept.label.rules, ...label.rules] };
      relabels.push({
        id: hit.id,
        emailId: hit.row.email_id,
        type: hit.type,
        userAgent: hit.userAgent,
        linkIndex: hit.linkIndex,
        url: hit.row.url,
        label: relabelled,
        human: isHuman(relabelled),
        signals: encodeSignals({ version: CLASSIFIER_VERSION, rules: relabelled.rules, ...facts }),
        moves: isHuman(relabelled) !== isHuman(hit.label),
      });
    }
  }
  return relabels;
}

function humanTotals(hits: readonly LabelledHit[], relabels: readonly Relabel[], states: ReadonlyMap<string, EmailRollupState>): HumanTotals[] {
  const out = new Map<string, HumanTotals>();
  const of = (emailId: string): HumanTotals => {
    let t = out.get(emailId);
    if (t === undefined) {
      out.set(emailId, (t = { emailId, machineOpens: 0, machineClicks: 0, firstHumanOpenAt: null, firstHumanClickAt: null, lastHumanAt: null, recompute: false }));
    }
    return t;
  };
  for (const h of hits) {
    if (!states.has(h.emailId)) continue;
    const t = of(h.emailId);
    if (!h.human) {
      if (h.type === 'opened') t.machineOpens += 1;
      else t.machineClicks += 1;
      continue;
    }
    if (t.firstHumanOpenAt === null || h.createdAt < t.firstHumanOpenAt) t.firstHumanOpenAt = h.createdAt;
    if (t.lastHumanAt === null || h.createdAt > t.lastHumanAt) t.lastHumanAt = h.createdAt;
    if (h.type === 'clicked' && (t.firstHumanClickAt === null || h.createdAt < t.firstHumanClickAt)) t.firstHumanClickAt = h.createdAt;
  }
  for (const r of relabels) {
    if (!r.moves) continue;
    const t = of(r.emailId);
    const side = r.human ? -1 : 1;
    if (r.type === 'opened') t.machineOpens += side;
    else t.machineClicks += side;
    t.recompute = true;
  }
  return [...out.values()];
}
