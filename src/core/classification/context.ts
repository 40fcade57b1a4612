import type { ContextHit, HitLabel } from './labels.js';
import type { RuleId } from './rules.js';

/**
 * The context rules: what the hits of one email show together. Each rule compares two hits at a
 * time and reads only facts (time, type, link, address, user agent, trap), never labels, so the
 * store can apply it batch by batch and get what a recount over all events gets:
 *  - it only turns a human label into security_scanner (never back, never one machine kind into
 *    another), so the kind a hit ends with does not depend on which batch first saw the evidence;
 *  - a hit changes only because of hits within CONTEXT_WINDOW_MS of it;
 *  - applying it again changes nothing more.
 * The rules list a hit ends with may name fewer context rules than a recount would: only those that
 * had fired when it changed.
 */

/** Two different links clicked this close together: faster than a person opens two tabs. */
export const LINK_BURST_MS = 1_000;
/** Two different links from two different clients this close: one person is one client. */
export const LINK_BURST_SPREAD_MS = 2_000;
/** An open and a click by the same client this close: the message was rendered and its links followed at once. */
export const OPEN_CLICK_MS = 1_000;
/** Clicks of any client this close to a trap click are part of the same scan. */
export const TRAP_BURST_MS = 5_000;
/** The trap clicker's own opens and clicks this close to its trap click. */
export const TRAP_CLIENT_MS = 60_000;

/** The farthest apart two hits that a context rule relates can be. */
export const CONTEXT_WINDOW_MS = Math.max(LINK_BURST_MS, LINK_BURST_SPREAD_MS, OPEN_CLICK_MS, TRAP_BURST_MS, TRAP_CLIENT_MS);

/** Fixed order, so the rules appended to a label do not depend on the order of the hits. */
const CONTEXT_RULE_ORDER = ['trap_burst', 'link_burst', 'open_click_same_client'] as const satisfies readonly RuleId[];
type ContextRuleId = (typeof CONTEXT_RULE_ORDER)[number];

/** Same client: same address and same user agent, both known (an unknown one matches nothing). */
function sameClient(a: ContextHit, b: ContextHit): boolean {
  return a.ip !== null && a.userAgent !== null && a.ip === b.ip && a.userAgent === b.userAgent;
}

/** Surely two clients: a known address or user agent differs (unknown ones prove nothing). */
function differentClients(a: ContextHit, b: ContextHit): boolean {
  return (a.ip !== null && b.ip !== null && a.ip !== b.ip) || (a.userAgent !== null && b.userAgent !== null && a.userAgent !== b.userAgent);
}

const isLinkClick = (h: ContextHit): boolean => h.type === 'clicked' && !h.trap && h.linkIndex !== null;
const isTrap = (h: ContextHit): boolean => h.type === 'clicked' && h.trap;

/** Beyond this, only a trap click relates two hits (to its own client's hits). */
const NEAR_MS = Math.max(LINK_BURST_MS, LINK_BURST_SPREAD_MS, OPEN_CLICK_MS, TRAP_BURST_MS);

type Fire = (h: ContextHit, rule: ContextRuleId) => void;

/** The rules that relate two hits at most NEAR_MS apart, whichever comes first. */
function nearRules(a: ContextHit, b: ContextHit, fire: Fire): void {
  const gap = Math.abs(a.createdAt - b.createdAt);
  if (isLinkClick(a) && isLinkClick(b) && a.linkIndex !== b.linkIndex && (gap <= LINK_BURST_MS || (gap <= LINK_BURST_SPREAD_MS && differentClients(a, b)))) {
    fire(a, 'link_burst');
    fire(b, 'link_burst');
  }
  if (gap <= OPEN_CLICK_MS && a.type !== b.type && sameClient(a, b)) {
    fire(a, 'open_click_same_client');
    fire(b, 'open_click_same_client');
  }
}

/** A trap click and another hit of the email (not a trap click). */
function trapRule(trap: ContextHit, other: ContextHit, fire: Fire): void {
  const gap = Math.abs(trap.createdAt - other.createdAt);
  if ((other.type === 'clicked' && gap <= TRAP_BURST_MS) || (gap <= TRAP_CLIENT_MS && sameClient(trap, other))) fire(other, 'trap_burst');
}

/**
 * The hits of one email (stored ones and new ones, any order) whose labels the context changes,
 * by id, with the new label: security_scanner, its proxy kept, the context rules appended.
 */
export function contextLabels(hits: readonly ContextHit[]): Map<string, HitLabel> {
  return new Map([...contextChanges(hits)].map(([hit, label]) => [hit.id, label]));
}

/** {@link contextLabels}, keyed by the hits given. */
export function contextChanges<H extends ContextHit>(hits: readonly H[]): Map<H, HitLabel> {
  const sorted = [...hits].sort((x, y) => x.createdAt - y.createdAt);
  const fired = new Map<H, Set<ContextRuleId>>();
  const fire: Fire = (hit, rule) => {
    const h = hit as H;
    if (h.label.classification !== 'human') return;
    let set = fired.get(h);
    if (set === undefined) fired.set(h, (set = new Set()));
    set.add(rule);
  };
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length && sorted[j]!.createdAt - a.createdAt <= NEAR_MS; j++) nearRules(a, sorted[j]!, fire);
    if (!isTrap(a)) continue;
    for (let j = i - 1; j >= 0 && a.createdAt - sorted[j]!.createdAt <= TRAP_CLIENT_MS; j--) if (!isTrap(sorted[j]!)) trapRule(a, sorted[j]!, fire);
    for (let j = i + 1; j < sorted.length && sorted[j]!.createdAt - a.createdAt <= TRAP_CLIENT_MS; j++) if (!isTrap(sorted[j]!)) trapRule(a, sorted[j]!, fire);
  }
  const out = new Map<H, HitLabel>();
  for (const [hit, rules] of fired) {
    const appended = CONTEXT_RULE_ORDER.filter((r) => rules.has(r));
    out.set(hit, { classification: 'security_scanner', proxy: hit.label.proxy, rules: [...hit.label.rules, ...appended] });
  }
  return out;
}
