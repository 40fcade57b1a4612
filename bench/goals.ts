import type { Route } from './measure.js';
import { type Row, ceilingFor, undisturbed } from './rows.js';

/** Each node, with every hit durable in its journal before the answer, against the bare handler. */
export const GOAL_RATIO = 0.4;
export const GOAL_P99_MS = 5;
/** The targets the goals apply to: Waymark as shipped (fast path on), on each backend. */
export const GOAL_TARGETS = ['waymark-sqlite', 'waymark-postgres'];
export const GOAL_TARGET = GOAL_TARGETS.join(', ');

export type Verdict = 'met' | 'NOT MET' | 'inconclusive';

export interface GoalResult {
  target: string;
  route: Route;
  ratio: number | null;
  durable: boolean;
  throughput: Verdict;
  throughputWhy: string;
  p99Ms: number;
  p99: Verdict;
  p99Why: string;
}

/**
 * Noise on a shared machine only ever lowers a measurement, so a disturbed row can still settle a
 * goal one way: a depressed ceiling can prove "not met" but not "met", a depressed Waymark row can
 * prove "met" but not "not met". Anything else is reported as inconclusive, never as met.
 */
export function evaluateGoals(rows: Row[]): GoalResult[] {
  return rows
    .filter((r) => GOAL_TARGETS.includes(r.target))
    .map((r) => {
      const durable = r.durable === true && r.socketErrors === 0;
      const ceiling = ceilingFor(rows, r.route);
      const clean = undisturbed(r);
      let throughput: Verdict;
      let throughputWhy = '';
      if (!durable) {
        throughput = 'NOT MET';
        throughputWhy = 'not every acknowledged event was recorded';
      } else if (!ceiling || r.ratioToBare === null) {
        throughput = 'inconclusive';
        throughputWhy = 'no bare measurement';
      } else {
        const meets = r.ratioToBare >= GOAL_RATIO;
        if (meets && !ceiling.clean) {
          throughput = 'inconclusive';
          throughputWhy = 'the ceiling was depressed in this run (see the notes)';
        } else if (!meets && !clean) {
          throughput = 'inconclusive';
          throughputWhy = 'this row was depressed by other load (see the notes)';
        } else {
          throughput = meets ? 'met' : 'NOT MET';
        }
      }
      let p99: Verdict = r.p99Ms <= GOAL_P99_MS ? 'met' : 'NOT MET';
      let p99Why = '';
      if (p99 === 'NOT MET' && !clean) {
        p99 = 'inconclusive';
        p99Why = 'this row was depressed by other load (see the notes)';
      }
      return { target: r.target, route: r.route, ratio: r.ratioToBare, durable, throughput, throughputWhy, p99Ms: r.p99Ms, p99, p99Why };
    });
}

export function overallVerdict(goals: GoalResult[]): Verdict {
  if (goals.length === 0) return 'inconclusive';
  const all = goals.flatMap((g) => [g.throughput, g.p99]);
  if (all.includes('NOT MET')) return 'NOT MET';
  if (all.includes('inconclusive')) return 'inconclusive';
  return 'met';
}

export function goalsText(goals: GoalResult[]): string {
  if (goals.length === 0) return 'Goals: not evaluated (Waymark was not measured).';
  const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1)) + ' ms';
  const why = (s: string) => (s ? ` (${s})` : '');
  const lines = ['Goals (Waymark, fast path, per node; ingest keeping up: every answered hit in the store after the run):'];
  for (const g of goals) {
    const name = `${g.target.replace('waymark-', '')} ${g.route}`.padEnd(15);
    lines.push(
      `  ${name} throughput ≥ ${GOAL_RATIO}× bare with every event durable: ${g.ratio === null ? '?' : g.ratio.toFixed(2) + '×'}, ` +
        `${g.durable ? 'all durable' : 'NOT all durable'} → ${g.throughput}${why(g.throughputWhy)}`,
    );
    lines.push(`  ${name} p99 ≤ ${GOAL_P99_MS} ms: ${ms(g.p99Ms)} → ${g.p99}${why(g.p99Why)}`);
  }
  const overall = overallVerdict(goals);
  lines.push(
    `  overall: ${
      overall === 'met' ? 'all goals met' : overall === 'NOT MET' ? 'goals NOT met' : 'inconclusive in this run: other load disturbed it, run it again on a quiet machine'
    }`,
  );
  return lines.join('\n');
}
