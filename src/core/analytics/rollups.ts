import type { EmailLink, EmailTag } from '../model.js';
import { HOUR_MS } from '../time.js';
import { TRAP_LINK_INDEX } from '../classification/trap.js';
import { classifyUserAgentCached } from './user-agents.js';

/**
 * Analytics rollups: pure delta computation. A batch of tracking hits (or one email becoming
 * `sent`) turns into a few additive deltas, aggregated by rollup key here in memory, so the store
 * applies ONE upsert per distinct key per batch.
 *
 * Attribution: every count goes to the email's SEND COHORT, the UTC hour its email was created
 * (accepted by the API), not to the hour of the event. So `opened / sent` of a period is the share
 * of the emails sent in that period that were ever opened, and never exceeds 1.
 *
 * Dimensions: each email contributes to the row with `tag = ''` (all emails) and to one row per
 * distinct tag `name:value`, all under its `domain_id` ('' when none), so a query reads rows of
 * one tag (or '') and, optionally, one domain.
 */


/** The tag key of the "all emails" rows. */
export const ALL_TAGS = '';
/** The domain key of emails without a domain. */
export const NO_DOMAIN = '';

export function bucketOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

export function tagKey(tag: EmailTag): string {
  return `${tag.name}:${tag.value}`;
}

/** The tag keys an email's counts go to: all emails, then each distinct tag. */
export function tagKeysOf(tags: readonly EmailTag[]): string[] {
  return [ALL_TAGS, ...new Set(tags.map(tagKey))];
}

/** What the store knows about an email before the batch is applied. */
export interface EmailRollupState {
  emailId: string;
  projectId: string;
  createdAt: number;
  domainId: string | null;
  tags: readonly EmailTag[];
  /** Opens and clicks recorded BEFORE this batch: 0 means the batch holds its first. */
  openCount: number;
  clickCount: number;
  /** Of those, the ones labelled a machine's; the rest are a person's. */
  machineOpenCount: number;
  machineClickCount: number;
  links: readonly EmailLink[];
}

export interface CountDelta {
  projectId: string;
  tag: string;
  bucket: number;
  domainId: string;
  sent: number;
  opened: number;
  opens: number;
  clicked: number;
  clicks: number;
  /** Emails with a person's open or click (a click implies the message was read). */
  humanOpened: number;
  humanOpens: number;
  humanClicked: number;
  humanClicks: number;
  /** Emails sent in the aggregate-only mode (their hits count in no unique count). */
  aggregateOnlySent: number;
}

export interface LinkDelta {
  projectId: string;
  tag: string;
  bucket: number;
  domainId: string;
  linkIndex: number;
  url: string;
  label: string;
  clicks: number;
  uniqueClicks: number;
  humanClicks: number;
  humanUniqueClicks: number;
}

/**
 * Per (email, link) clicks of a batch: the per-email state behind exact unique link clicks.
 * `machineClicks` also counts stored clicks of the link relabelled a machine's by this batch.
 */
export interface EmailLinkDelta {
  emailId: string;
  linkIndex: number;
  url: string;
  clicks: number;
  machineClicks: number;
}

/** An (email, link)'s clicks before the batch. */
export interface EmailLinkState {
  clicks: number;
  machineClicks: number;
}

export interface ClientDelta {
  projectId: string;
  tag: string;
  bucket: number;
  domainId: string;
  client: string;
  device: string;
  os: string;
  opens: number;
  humanOpens: number;
}

export interface RollupHit {
  emailId: string;
  type: 'opened' | 'clicked';
  userAgent: string | null;
  linkIndex: number | null;
  url: string | null;
  /** Labelled a person's. */
  human: boolean;
}

/** A stored hit whose label changed sides: `human` is its new side (it was counted on the other). */
export type RollupRelabel = RollupHit;

export function emailLinkKey(emailId: string, linkIndex: number, url: string): string {
  return `${emailId}\u0000${linkIndex}\u0000${url}`;
}

/**
 * Clicks of the batch per (email, link), and the relabelled stored clicks; clicks without a link
 * (index or url) are not per link.
 */
export function emailLinkDeltas(hits: readonly RollupHit[], relabels: readonly RollupRelabel[] = []): EmailLinkDelta[] {
  const out = new Map<string, EmailLinkDelta>();
  const add = (h: RollupHit, clicks: number, machineClicks: number): void => {
    // The hidden trap link is not one of the email's links.
    if (h.type !== 'clicked' || h.linkIndex === null || h.url === null || h.linkIndex === TRAP_LINK_INDEX) return;
    const key = emailLinkKey(h.emailId, h.linkIndex, h.url);
    const d = out.get(key);
    if (d === undefined) out.set(key, { emailId: h.emailId, linkIndex: h.linkIndex, url: h.url, clicks, machineClicks });
    else {
      d.clicks += clicks;
      d.machineClicks += machineClicks;
    }
  };
  for (const h of hits) add(h, 1, h.human ? 0 : 1);
  for (const r of relabels) add(r, 0, r.human ? -1 : 1);
  return [...out.values()];
}

function countKey(projectId: string, tag: string, bucket: number, domainId: string): string {
  return `${projectId}\u0000${tag}\u0000${bucket}\u0000${domainId}`;
}

interface EmailTally {
  opens: number;
  clicks: number;
  humanOpens: number;
  humanClicks: number;
}

const positive = (n: number): number => (n > 0 ? 1 : 0);

/**
 * The rollup deltas of a batch of hits, and of the stored hits it relabels. `states` holds the
 * emails as they were before the batch (hits of emails not in it are dropped, like their events);
 * `linksBefore` holds each (email, link) of `linkDeltas` as it was before the batch (absent: never
 * clicked).
 */
export function hitRollupDeltas(
  hits: readonly RollupHit[],
  states: ReadonlyMap<string, EmailRollupState>,
  linksBefore: ReadonlyMap<string, EmailLinkState> = new Map(),
  linkDeltas: readonly EmailLinkDelta[] = emailLinkDeltas(hits),
  relabels: readonly RollupRelabel[] = [],
): { counts: CountDelta[]; links: LinkDelta[]; clients: ClientDelta[] } {
  const perEmail = new Map<string, EmailTally>();
  const tally = (emailId: string): EmailTally => {
    let t = perEmail.get(emailId);
    if (t === undefined) perEmail.set(emailId, (t = { opens: 0, clicks: 0, humanOpens: 0, humanClicks: 0 }));
    return t;
  };
  const clients = new Map<string, ClientDelta>();
  const addClient = (s: EmailRollupState, userAgent: string | null, opens: number, humanOpens: number): void => {
    const c = classifyUserAgentCached(userAgent);
    const bucket = bucketOf(s.createdAt);
    const domainId = s.domainId ?? NO_DOMAIN;
    for (const tag of tagKeysOf(s.tags)) {
      const key = `${countKey(s.projectId, tag, bucket, domainId)}\u0000${c.client}\u0000${c.device}\u0000${c.os}`;
      const d = clients.get(key);
      if (d === undefined) {
        clients.set(key, { projectId: s.projectId, tag, bucket, domainId, client: c.client, device: c.device, os: c.os, opens, humanOpens });
      } else {
        d.opens += opens;
        d.humanOpens += humanOpens;
      }
    }
  };
  for (const h of hits) {
    const s = states.get(h.emailId);
    if (s === undefined) continue;
    const t = tally(h.emailId);
    if (h.type === 'opened') {
      addClient(s, h.userAgent, 1, h.human ? 1 : 0);
      t.opens += 1;
      if (h.human) t.humanOpens += 1;
    } else {
      t.clicks += 1;
      if (h.human) t.humanClicks += 1;
    }
  }
  for (const r of relabels) {
    const s = states.get(r.emailId);
    if (s === undefined) continue;
    const t = tally(r.emailId);
    const side = r.human ? 1 : -1;
    if (r.type === 'opened') {
      addClient(s, r.userAgent, 0, side);
      t.humanOpens += side;
    } else t.humanClicks += side;
  }

  const counts = new Map<string, CountDelta>();
  for (const [emailId, t] of perEmail) {
    const s = states.get(emailId)!;
    const bucket = bucketOf(s.createdAt);
    const domainId = s.domainId ?? NO_DOMAIN;
    const humanOpensBefore = s.openCount - s.machineOpenCount;
    const humanClicksBefore = s.clickCount - s.machineClickCount;
    const humanOpensAfter = humanOpensBefore + t.humanOpens;
    const humanClicksAfter = humanClicksBefore + t.humanClicks;
    const opened = s.openCount === 0 && t.opens > 0 ? 1 : 0;
    const clicked = s.clickCount === 0 && t.clicks > 0 ? 1 : 0;
    const humanOpened = positive(humanOpensAfter + humanClicksAfter) - positive(humanOpensBefore + humanClicksBefore);
    const humanClicked = positive(humanClicksAfter) - positive(humanClicksBefore);
    for (const tag of tagKeysOf(s.tags)) {
      const key = countKey(s.projectId, tag, bucket, domainId);
      let d = counts.get(key);
      if (d === undefined) {
        d = { ...zeroCounts(s.projectId, tag, bucket, domainId) };
        counts.set(key, d);
      }
      d.opened += opened;
      d.opens += t.opens;
      d.clicked += clicked;
      d.clicks += t.clicks;
      d.humanOpened += humanOpened;
      d.humanOpens += t.humanOpens;
      d.humanClicked += humanClicked;
      d.humanClicks += t.humanClicks;
    }
  }

  const links = new Map<string, LinkDelta>();
  for (const ld of linkDeltas) {
    const s = states.get(ld.emailId);
    if (s === undefined) continue;
    const bucket = bucketOf(s.createdAt);
    const domainId = s.domainId ?? NO_DOMAIN;
    const before = linksBefore.get(emailLinkKey(ld.emailId, ld.linkIndex, ld.url)) ?? { clicks: 0, machineClicks: 0 };
    const unique = before.clicks === 0 && ld.clicks > 0 ? 1 : 0;
    const humanBefore = before.clicks - before.machineClicks;
    const humanAfter = humanBefore + ld.clicks - ld.machineClicks;
    const label = s.links.find((l) => l.index === ld.linkIndex && l.url === ld.url)?.label ?? '';
    for (const tag of tagKeysOf(s.tags)) {
      const key = `${countKey(s.projectId, tag, bucket, domainId)}\u0000${ld.linkIndex}\u0000${ld.url}`;
      let d = links.get(key);
      if (d === undefined) {
        d = { projectId: s.projectId, tag, bucket, domainId, linkIndex: ld.linkIndex, url: ld.url, label, clicks: 0, uniqueClicks: 0, humanClicks: 0, humanUniqueClicks: 0 };
        links.set(key, d);
      }
      d.clicks += ld.clicks;
      d.uniqueClicks += unique;
      d.humanClicks += humanAfter - humanBefore;
      d.humanUniqueClicks += positive(humanAfter) - positive(humanBefore);
    }
  }
  return { counts: [...counts.values()], links: [...links.values()], clients: [...clients.values()] };
}

function zeroCounts(projectId: string, tag: string, bucket: number, domainId: string): CountDelta {
  return {
    projectId,
    tag,
    bucket,
    domainId,
    sent: 0,
    opened: 0,
    opens: 0,
    clicked: 0,
    clicks: 0,
    humanOpened: 0,
    humanOpens: 0,
    humanClicked: 0,
    humanClicks: 0,
    aggregateOnlySent: 0,
  };
}

/** A cohort's tags in one canonical form: each distinct tag once, sorted. */
export function cohortTags(tags: readonly EmailTag[]): EmailTag[] {
  const seen = new Map<string, EmailTag>();
  for (const t of tags) seen.set(tagKey(t), { name: t.name, value: t.value });
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
}

/** A cohort of aggregate-only emails: the dimensions its hits count under. */
export interface CohortState {
  id: string;
  projectId: string;
  domainId: string | null;
  tags: readonly EmailTag[];
  /** The cohort's send hour. */
  bucket: number;
}

/** A hit of an aggregate-only email: its cohort, never its email. */
export interface AggregateRollupHit {
  cohortId: string;
  type: 'opened' | 'clicked';
  userAgent: string | null;
  linkIndex: number | null;
  url: string | null;
  human: boolean;
}

/**
 * The rollup deltas of aggregate-only hits: totals only (opens, clicks, their human part, per link
 * and per client), never a unique count, since nothing tells two recipients apart.
 */
export function aggregateRollupDeltas(
  hits: readonly AggregateRollupHit[],
  cohorts: ReadonlyMap<string, CohortState>,
): { counts: CountDelta[]; links: LinkDelta[]; clients: ClientDelta[] } {
  const counts = new Map<string, CountDelta>();
  const links = new Map<string, LinkDelta>();
  const clients = new Map<string, ClientDelta>();
  for (const h of hits) {
    const c = cohorts.get(h.cohortId);
    if (c === undefined) continue;
    const domainId = c.domainId ?? NO_DOMAIN;
    const human = h.human ? 1 : 0;
    const ua = h.type === 'opened' ? classifyUserAgentCached(h.userAgent) : null;
    for (const tag of tagKeysOf(c.tags)) {
      const key = countKey(c.projectId, tag, c.bucket, domainId);
      let d = counts.get(key);
      if (d === undefined) counts.set(key, (d = zeroCounts(c.projectId, tag, c.bucket, domainId)));
      if (ua !== null) {
        d.opens += 1;
        d.humanOpens += human;
        const clientKey = `${key}\u0000${ua.client}\u0000${ua.device}\u0000${ua.os}`;
        const cd = clients.get(clientKey);
        if (cd === undefined) {
          clients.set(clientKey, { projectId: c.projectId, tag, bucket: c.bucket, domainId, client: ua.client, device: ua.device, os: ua.os, opens: 1, humanOpens: human });
        } else {
          cd.opens += 1;
          cd.humanOpens += human;
        }
        continue;
      }
      d.clicks += 1;
      d.humanClicks += human;
      if (h.linkIndex === null || h.url === null) continue;
      const linkKey = `${key}\u0000${h.linkIndex}\u0000${h.url}`;
      const ld = links.get(linkKey);
      if (ld === undefined) {
        links.set(linkKey, {
          projectId: c.projectId,
          tag,
          bucket: c.bucket,
          domainId,
          linkIndex: h.linkIndex,
          url: h.url,
          label: '',
          clicks: 1,
          uniqueClicks: 0,
          humanClicks: human,
          humanUniqueClicks: 0,
        });
      } else {
        ld.clicks += 1;
        ld.humanClicks += human;
      }
    }
  }
  return { counts: [...counts.values()], links: [...links.values()], clients: [...clients.values()] };
}

/** The deltas of one email becoming sent (delivered, or captured). */
export function sentRollupDeltas(
  s: Pick<EmailRollupState, 'projectId' | 'createdAt' | 'domainId' | 'tags'> & { aggregateOnly?: boolean },
): CountDelta[] {
  const bucket = bucketOf(s.createdAt);
  const domainId = s.domainId ?? NO_DOMAIN;
  const aggregateOnlySent = s.aggregateOnly === true ? 1 : 0;
  return tagKeysOf(s.tags).map((tag) => ({ ...zeroCounts(s.projectId, tag, bucket, domainId), sent: 1, aggregateOnlySent }));
}

/** Rates: a ratio of two counts, 0 when the divisor is 0. */
export function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}
