import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPLAY_FILE, buildReplay, formatReplay, parseReplay, type ReplayFile, type ReplayHit } from '../../../test/fixtures/classification/build-replay.js';
import { contextLabels } from './context.js';
import { HIT_CLASSIFICATIONS, type ContextHit, type HitClassification, type HitLabel } from './labels.js';
import { RULES, classifyHit } from './rules.js';

/** The labelled replay set (test/fixtures/classification): each hit's own rules, then each email's context rules. */

const text = readFileSync(REPLAY_FILE, 'utf8');
const replay: ReplayFile = parseReplay(text);

function labelReplay(file: ReplayFile): Map<string, { hit: ReplayHit; label: HitLabel }> {
  const out = new Map<string, { hit: ReplayHit; label: HitLabel }>();
  for (const email of file.emails) {
    const context: ContextHit[] = email.hits.map((h) => {
      const userAgent = h.ua === null ? null : file.userAgents[h.ua]!;
      const label = classifyHit({ type: h.type, method: h.method, userAgent, ipList: h.ipList, sinceSentMs: h.at, trap: h.trap });
      out.set(h.id, { hit: h, label });
      return { id: h.id, type: h.type, createdAt: h.at, ip: h.ip, userAgent, linkIndex: h.linkIndex, trap: h.trap, label };
    });
    for (const [id, label] of contextLabels(context)) out.get(id)!.label = label;
  }
  return out;
}

const pct = (n: number, d: number): string => `${((100 * n) / d).toFixed(2)} % (${n}/${d})`;

describe('the replay set', () => {
  it('is what build-replay.ts makes, and holds at least 1,000 hits with human opens through each proxy', () => {
    expect(text).toBe(formatReplay(buildReplay()));
    const hits = replay.emails.flatMap((e) => e.hits);
    expect(hits.length).toBeGreaterThanOrEqual(1_000);
    for (const proxy of ['google', 'yahoo', 'microsoft', 'apple']) {
      expect(hits.filter((h) => h.type === 'opened' && h.truth === 'human' && h.proxy === proxy).length).toBeGreaterThanOrEqual(25);
    }
    for (const e of replay.emails) for (const s of e.sources) expect(replay.sources[s], s).toBeDefined();
  });

  it('keeps machine precision ≥ 99 %, machine recall ≥ 95 %, and ≥ 99 % of human proxy opens as human', () => {
    const labelled = [...labelReplay(replay).values()];
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let proxyOpens = 0;
    let proxyOpensKept = 0;
    let proxyRight = 0;
    const confusion = new Map<HitClassification, Map<HitClassification, number>>();
    const misses: string[] = [];
    for (const { hit, label } of labelled) {
      const truthMachine = hit.truth !== 'human';
      const saidMachine = label.classification !== 'human';
      if (truthMachine && saidMachine) tp++;
      else if (saidMachine) fp++;
      else if (truthMachine) fn++;
      if (hit.type === 'opened' && hit.truth === 'human' && hit.proxy !== null) {
        proxyOpens++;
        if (!saidMachine) proxyOpensKept++;
      }
      if (label.proxy === hit.proxy) proxyRight++;
      let row = confusion.get(hit.truth);
      if (row === undefined) confusion.set(hit.truth, (row = new Map()));
      row.set(label.classification, (row.get(label.classification) ?? 0) + 1);
      if (truthMachine !== saidMachine) misses.push(`  ${hit.id} ${hit.type} truth=${hit.truth} said=${label.classification} [${label.rules.join(',')}]`);
    }

    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    const kept = proxyOpensKept / proxyOpens;
    const kinds = HIT_CLASSIFICATIONS;
    const table = [
      `  ${'truth \\ said'.padEnd(17)}${kinds.map((k) => k.padStart(17)).join('')}`,
      ...kinds.map((t) => `  ${t.padEnd(17)}${kinds.map((k) => String(confusion.get(t)?.get(k) ?? 0).padStart(17)).join('')}`),
    ];
    console.log(
      [
        `classification replay: ${labelled.length} hits in ${replay.emails.length} emails`,
        `  machine precision        ${pct(tp, tp + fp)}`,
        `  machine recall           ${pct(tp, tp + fn)}`,
        `  human proxy opens kept   ${pct(proxyOpensKept, proxyOpens)}`,
        `  proxy label right        ${pct(proxyRight, labelled.length)}`,
        'per-kind confusion (rows: truth, columns: label):',
        ...table,
        `wrong side (${misses.length}):`,
        ...misses,
      ].join('\n'),
    );
    expect(precision).toBeGreaterThanOrEqual(0.99);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(kept).toBeGreaterThanOrEqual(0.99);
  });

  it('names only rules listed in RULES', () => {
    const ids = new Set(RULES.map((r) => r.id));
    for (const { label } of labelReplay(replay).values()) for (const r of label.rules) expect(ids.has(r as never), r).toBe(true);
  });
});
