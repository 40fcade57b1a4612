import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTEXT_WINDOW_MS, LINK_BURST_MS, LINK_BURST_SPREAD_MS, OPEN_CLICK_MS, TRAP_BURST_MS, TRAP_CLIENT_MS, contextLabels } from './context.js';
import { HIT_CLASSIFICATIONS, type ContextHit, type HitLabel } from './labels.js';
import { RULES } from './rules.js';
import { TRAP_LINK_INDEX } from './trap.js';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36';
const APPLE_MAIL = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';
const HUMAN: HitLabel = { classification: 'human', proxy: null, rules: [] };

let seq = 0;
function clickAt(createdAt: number, linkIndex: number, over: Partial<ContextHit> = {}): ContextHit {
  return { id: `h${++seq}`, type: 'clicked', createdAt, ip: '192.0.2.1', userAgent: CHROME, linkIndex, trap: false, label: HUMAN, ...over };
}
function openAt(createdAt: number, over: Partial<ContextHit> = {}): ContextHit {
  return { id: `h${++seq}`, type: 'opened', createdAt, ip: '192.0.2.1', userAgent: CHROME, linkIndex: null, trap: false, label: HUMAN, ...over };
}
const trapAt = (createdAt: number, over: Partial<ContextHit> = {}) => clickAt(createdAt, TRAP_LINK_INDEX, { trap: true, label: { classification: 'security_scanner', proxy: null, rules: ['trap_link'] }, ...over });
const changed = (hits: ContextHit[]) => [...contextLabels(hits).keys()].sort();
const ids = (...hits: ContextHit[]) => hits.map((h) => h.id).sort();

describe('contextLabels: link bursts', () => {
  it('does not take a double click on one link for a burst', () => {
    expect(changed([clickAt(0, 1), clickAt(150, 1), clickAt(300, 1)])).toEqual([]);
  });

  it(`labels two different links within ${LINK_BURST_MS} ms a burst, whoever clicked them`, () => {
    const a = clickAt(0, 0);
    const b = clickAt(LINK_BURST_MS, 1);
    const later = clickAt(LINK_BURST_MS + LINK_BURST_SPREAD_MS + 1, 2);
    expect(changed([later, b, a])).toEqual(ids(a, b));
    expect(contextLabels([a, b]).get(a.id)).toEqual({ classification: 'security_scanner', proxy: null, rules: ['link_burst'] });
  });

  it(`allows one client ${LINK_BURST_MS}–${LINK_BURST_SPREAD_MS} ms between links (a person opening tabs), not two clients`, () => {
    expect(changed([clickAt(0, 0), clickAt(1_500, 1)])).toEqual([]);
    const a = clickAt(0, 0, { ip: '198.51.100.7' });
    const b = clickAt(1_500, 1, { ip: '198.51.100.8' });
    expect(changed([a, b])).toEqual(ids(a, b));
    expect(changed([clickAt(0, 0, { ip: '198.51.100.7' }), clickAt(LINK_BURST_SPREAD_MS + 1, 1, { ip: '198.51.100.8' })])).toEqual([]);
    // Unknown addresses and user agents prove nothing: one person whose address was not stored.
    expect(changed([clickAt(0, 0, { ip: null, userAgent: null }), clickAt(1_500, 1, { ip: null, userAgent: null })])).toEqual([]);
  });

  it('leaves trap clicks, opens and clicks without a link out of link bursts', () => {
    expect(changed([clickAt(0, 0), clickAt(10, 0, { linkIndex: null }), openAt(20, { ip: '198.51.100.9' })])).toEqual([]);
  });
});

describe('contextLabels: open and click by one client', () => {
  it(`labels an open and a click of one address and user agent within ${OPEN_CLICK_MS} ms, in either order`, () => {
    const o = openAt(5_000);
    const c = clickAt(5_000 + OPEN_CLICK_MS, 0);
    expect(changed([c, o])).toEqual(ids(o, c));
    const c2 = clickAt(9_000, 0);
    const o2 = openAt(9_400);
    expect(changed([o2, c2])).toEqual(ids(o2, c2));
    expect(contextLabels([o, c]).get(o.id)?.rules).toEqual(['open_click_same_client']);
  });

  it('leaves a person alone who reads in a mail app and clicks in a browser, or clicks a second later', () => {
    expect(changed([openAt(0, { userAgent: APPLE_MAIL }), clickAt(300, 0)])).toEqual([]);
    expect(changed([openAt(0), clickAt(OPEN_CLICK_MS + 1, 0)])).toEqual([]);
    expect(changed([openAt(0, { ip: '192.0.2.2' }), clickAt(200, 0)])).toEqual([]);
    expect(changed([openAt(0, { ip: null }), clickAt(200, 0, { ip: null })])).toEqual([]);
  });
});

describe('contextLabels: trap bursts', () => {
  it(`labels every click within ${TRAP_BURST_MS} ms of a trap click, and the trap clicker's own hits within ${TRAP_CLIENT_MS} ms`, () => {
    const trap = trapAt(100_000, { ip: '203.0.113.5' });
    const near = clickAt(100_000 + TRAP_BURST_MS, 0, { ip: '203.0.113.9' });
    const far = clickAt(100_000 + TRAP_BURST_MS + 1, 0, { ip: '203.0.113.10' });
    const ownOpen = openAt(100_000 - TRAP_CLIENT_MS, { ip: '203.0.113.5' });
    const ownClick = clickAt(100_000 + 30_000, 2, { ip: '203.0.113.5' });
    const otherOpen = openAt(100_000 - 1_000, { ip: '203.0.113.11' });
    const tooLate = clickAt(100_000 + TRAP_CLIENT_MS + 1, 3, { ip: '203.0.113.5' });
    expect(changed([trap, near, far, ownOpen, ownClick, otherOpen, tooLate])).toEqual(ids(near, ownOpen, ownClick));
    expect(contextLabels([trap, near]).get(near.id)?.rules).toEqual(['trap_burst']);
  });
});

describe('contextLabels: labels', () => {
  it('changes only human labels, to security_scanner, keeping the proxy and appending the rules in a fixed order', () => {
    const preview: HitLabel = { classification: 'link_preview', proxy: null, rules: ['ua_link_preview'] };
    const a = clickAt(0, 0, { label: { classification: 'human', proxy: 'microsoft', rules: ['ip_list_proxy'] } });
    const b = clickAt(300, 1, { label: preview });
    const o = openAt(200);
    const trap = trapAt(400);
    const out = contextLabels([o, b, trap, a]);
    expect(out.get(a.id)).toEqual({ classification: 'security_scanner', proxy: 'microsoft', rules: ['ip_list_proxy', 'trap_burst', 'link_burst', 'open_click_same_client'] });
    expect(out.has(b.id)).toBe(false);
    expect(out.has(trap.id)).toBe(false);
  });

  it('has a window as wide as its widest rule, and every rule it appends is listed', () => {
    expect(CONTEXT_WINDOW_MS).toBe(Math.max(LINK_BURST_MS, LINK_BURST_SPREAD_MS, OPEN_CLICK_MS, TRAP_BURST_MS, TRAP_CLIENT_MS));
    const listed = new Set(RULES.filter((r) => r.stage === 'context').map((r) => r.id as string));
    expect(listed).toEqual(new Set(['trap_burst', 'link_burst', 'open_click_same_client']));
  });
});

// ---- Properties: what lets the store apply the rules batch by batch. ----

const labelArb: fc.Arbitrary<HitLabel> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(HUMAN) },
  fc.record({ classification: fc.constantFrom(...HIT_CLASSIFICATIONS), proxy: fc.constantFrom(null, 'google' as const, 'apple' as const), rules: fc.constant<string[]>(['x']) }),
);

/** Hits of one email, crowded into a few minutes so that the rules fire often. */
const hitsArb: fc.Arbitrary<ContextHit[]> = fc
  .array(
    fc.record({
      type: fc.constantFrom('opened' as const, 'clicked' as const),
      createdAt: fc.oneof(fc.integer({ min: 0, max: 8_000 }), fc.integer({ min: 0, max: 200_000 })),
      ip: fc.constantFrom(null, '192.0.2.1', '192.0.2.2', '2001:db8::1'),
      userAgent: fc.constantFrom(null, CHROME, APPLE_MAIL),
      link: fc.constantFrom(null, 0, 1, 2, 'trap' as const),
      label: labelArb,
    }),
    { maxLength: 25 },
  )
  .map((rows) =>
    rows.map((r, i): ContextHit => {
      const trap = r.type === 'clicked' && r.link === 'trap';
      return {
        id: `h${i}`,
        type: r.type,
        createdAt: r.createdAt,
        ip: r.ip,
        userAgent: r.userAgent,
        linkIndex: r.type === 'opened' ? null : trap ? TRAP_LINK_INDEX : (r.link as number | null),
        trap,
        label: r.label,
      };
    }),
  );

const apply = (hits: readonly ContextHit[], out: ReadonlyMap<string, HitLabel>): ContextHit[] => hits.map((h) => ({ ...h, label: out.get(h.id) ?? h.label }));

describe('contextLabels: properties', () => {
  it('(a) only turns a human label into a machine one, keeping its proxy and earlier rules', () => {
    fc.assert(
      fc.property(hitsArb, (hits) => {
        const byId = new Map(hits.map((h) => [h.id, h]));
        for (const [id, label] of contextLabels(hits)) {
          const before = byId.get(id)!.label;
          expect(before.classification).toBe('human');
          expect(label.classification).not.toBe('human');
          expect(label.proxy).toBe(before.proxy);
          expect(label.rules.slice(0, before.rules.length)).toEqual(before.rules);
          expect(label.rules.length).toBeGreaterThan(before.rules.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('(b) decides a hit from the hits within CONTEXT_WINDOW_MS of it: any larger set gives the same answer', () => {
    fc.assert(
      fc.property(hitsArb, fc.nat(), fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }), (hits, pick, keep) => {
        fc.pre(hits.length > 0);
        const target = hits[pick % hits.length]!;
        const near = (h: ContextHit) => Math.abs(h.createdAt - target.createdAt) <= CONTEXT_WINDOW_MS;
        // The window around the hit, plus any other hits at all.
        const superset = hits.filter((h, i) => h === target || near(h) || keep[i] === true);
        expect(contextLabels(superset).get(target.id)).toEqual(contextLabels(hits).get(target.id));
        expect(contextLabels(hits.filter((h) => h === target || near(h))).get(target.id)).toEqual(contextLabels(hits).get(target.id));
      }),
      { numRuns: 500 },
    );
  });

  it('(c) changes nothing more when applied again', () => {
    fc.assert(
      fc.property(hitsArb, (hits) => {
        const once = apply(hits, contextLabels(hits));
        expect(contextLabels(once).size).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('gives, batch by batch as the store applies it, the labels a recount over all hits gives', () => {
    fc.assert(
      fc.property(hitsArb, fc.array(fc.nat(4), { minLength: 25, maxLength: 25 }), (hits, batchOf) => {
        // Hits arrive in batches in any order; each batch sees the stored hits within the window of its own.
        let stored: ContextHit[] = [];
        for (let b = 0; b <= 4; b++) {
          const batch = hits.filter((_, i) => batchOf[i] === b);
          if (batch.length === 0) continue;
          const context = [...stored.filter((s) => batch.some((h) => Math.abs(h.createdAt - s.createdAt) <= CONTEXT_WINDOW_MS)), ...batch];
          const out = contextLabels(context);
          stored = [...apply(stored, out), ...apply(batch, out)];
        }
        const recount = apply(hits, contextLabels(hits));
        const classOf = (list: ContextHit[]) => Object.fromEntries(list.map((h) => [h.id, h.label.classification]));
        expect(classOf(stored)).toEqual(classOf(recount));
      }),
      { numRuns: 500 },
    );
  });
});
