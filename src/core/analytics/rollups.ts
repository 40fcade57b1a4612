import type { EmailLink, EmailTag } from '../model.js';
import { HOUR_MS } from '../time.js';
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
}

/** Per (email, link) clicks of a batch: the per-email state behind exact unique link clicks. */
export interface EmailLinkDelta {
  emailId: string;
  linkIndex: number;
  url: string;
  clicks: number;
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
}

export interface RollupHit {
  emailId: string;
  type: 'opened' | 'clicked';
  userAgent: string | null;
  linkIndex: number | null;
  url: string | null;
}

function linkKeyOf(emailId: string, linkIndex: number, url: string): string {
  return `${emailId}\u0000${linkIndex}\u0000${url}`;
}

/** Clicks of the batch per (email, link); clicks without a link (index or url) are not per link. */
export function emailLinkDeltas(hits: readonly RollupHit[]): EmailLinkDelta[] {
  const out = new Map<string, EmailLinkDelta>();
  for (const h of hits) {
    if (h.type !== 'clicked' || h.linkIndex === null || h.url === null) continue;
    const key = linkKeyOf(h.emailId, h.linkIndex, h.url);
    const d = out.get(key);
    if (d === undefined) out.set(key, { emailId: h.emailId, linkIndex: h.linkIndex, url: h.url, clicks: 1 });
    else d.clicks += 1;
  }
  return [...out.values()];
}

function countKey(projectId: string, tag: string, bucket: number, domainId: string): string {
  return `${projectId}\u0000${tag}\u0000${bucket}\u0000${domainId}`;
}

/**
 * The rollup deltas of a batch of hits. `states` holds the emails as they were before the batch
 * (hits of emails not in it are dropped, like their events); `firstLinkClicks` holds the
 * (email, link) deltas whose email had never clicked that link before this batch.
 */
export function hitRollupDeltas(
  hits: readonly RollupHit[],
  states: ReadonlyMap<string, EmailRollupState>,
  firstLinkClicks: readonly EmailLinkDelta[] = [],
  linkDeltas: readonly EmailLinkDelta[] = emailLinkDeltas(hits),
): { counts: CountDelta[]; links: LinkDelta[]; clients: ClientDelta[] } {
  const perEmail = new Map<string, { opens: number; clicks: number }>();
  const clients = new Map<string, ClientDelta>();
  for (const h of hits) {
    const s = states.get(h.emailId);
    if (s === undefined) continue;
    if (h.type === 'opened') {
      const c = classifyUserAgentCached(h.userAgent);
      const bucket = bucketOf(s.createdAt);
      const domainId = s.domainId ?? NO_DOMAIN;
      for (const tag of tagKeysOf(s.tags)) {
        const key = `${countKey(s.projectId, tag, bucket, domainId)}\u0000${c.client}\u0000${c.device}\u0000${c.os}`;
        const d = clients.get(key);
        if (d === undefined) {
          clients.set(key, { projectId: s.projectId, tag, bucket, domainId, client: c.client, device: c.device, os: c.os, opens: 1 });
        } else d.opens += 1;
      }
    }
    let t = perEmail.get(h.emailId);
    if (t === undefined) perEmail.set(h.emailId, (t = { opens: 0, clicks: 0 }));
    if (h.type === 'opened') t.opens += 1;
    else t.clicks += 1;
  }

  const counts = new Map<string, CountDelta>();
  for (const [emailId, t] of perEmail) {
    const s = states.get(emailId)!;
    const bucket = bucketOf(s.createdAt);
    const domainId = s.domainId ?? NO_DOMAIN;
    const opened = s.openCount === 0 && t.opens > 0 ? 1 : 0;
    const clicked = s.clickCount === 0 && t.clicks > 0 ? 1 : 0;
    for (const tag of tagKeysOf(s.tags)) {
      const key = countKey(s.projectId, tag, bucket, domainId);
      let d = counts.get(key);
      if (d === undefined) {
        d = { projectId: s.projectId, tag, bucket, domainId, sent: 0, opened: 0, opens: 0, clicked: 0, clicks: 0 };
        counts.set(key, d);
      }
      d.opened += opened;
      d.opens += t.opens;
      d.clicked += clicked;
      d.clicks += t.clicks;
    }
  }

  const firsts = new Set(firstLinkClicks.map((d) => linkKeyOf(d.emailId, d.linkIndex, d.url)));
  const links = new Map<string, LinkDelta>();
  for (const ld of linkDeltas) {
    const s = states.get(ld.emailId);
    if (s === undefined) continue;
    const bucket = bucketOf(s.createdAt);
    const domainId = s.domainId ?? NO_DOMAIN;
    const unique = firsts.has(linkKeyOf(ld.emailId, ld.linkIndex, ld.url)) ? 1 : 0;
    const label = s.links.find((l) => l.index === ld.linkIndex && l.url === ld.url)?.label ?? '';
    for (const tag of tagKeysOf(s.tags)) {
      const key = `${countKey(s.projectId, tag, bucket, domainId)}\u0000${ld.linkIndex}\u0000${ld.url}`;
      let d = links.get(key);
      if (d === undefined) {
        d = { projectId: s.projectId, tag, bucket, domainId, linkIndex: ld.linkIndex, url: ld.url, label, clicks: 0, uniqueClicks: 0 };
        links.set(key, d);
      }
      d.clicks += ld.clicks;
      d.uniqueClicks += unique;
    }
  }
  return { counts: [...counts.values()], links: [...links.values()], clients: [...clients.values()] };
}

/** The deltas of one email becoming sent (delivered, or captured). */
export function sentRollupDeltas(s: Pick<EmailRollupState, 'projectId' | 'createdAt' | 'domainId' | 'tags'>): CountDelta[] {
  const bucket = bucketOf(s.createdAt);
  const domainId = s.domainId ?? NO_DOMAIN;
  return tagKeysOf(s.tags).map((tag) => ({
    projectId: s.projectId,
    tag,
    bucket,
    domainId,
    sent: 1,
    opened: 0,
    opens: 0,
    clicked: 0,
    clicks: 0,
  }));
}

/** Rates: a ratio of two counts, 0 when the divisor is 0. */
export function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}
