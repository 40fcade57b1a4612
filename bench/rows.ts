import type { Measurement, Route } from './measure.js';

export const BARE_TARGET = 'bare';

/** One line of the table: a target and route, with the figures the report and the JSON need. */
export interface Row {
  target: string;
  label: string;
  route: Route;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** req/s ÷ the ceiling: the best clean bare measurement of the route (see ceilingFor). */
  ratioToBare: number | null;
  answered: number;
  recorded: number | null;
  eventsPerSec: number | null;
  durationSec: number;
  socketErrors: number;
  badStatus: number;
  /** recorded ≥ answered and nothing failed: no acknowledged hit lost. */
  durable: boolean | null;
  /** % of one core the server used, and % of its core used by anything else (incl. steal). */
  serverCpuPct: number | null;
  otherOnCorePct: number | null;
  stealPct: number | null;
  loadCoreBusyPct: number | null;
}

/** Above this share of the server's core taken by others, a row's figures are depressed. */
export const MAX_OTHER_PCT = 10;
/** Below this server CPU, the bare handler was not the limit of its own measurement. */
export const MIN_BARE_CPU_PCT = 85;

/** Nothing else took a noticeable share of the server's core during the run. */
export function undisturbed(r: Row): boolean {
  return r.otherOnCorePct === null || r.otherOnCorePct <= MAX_OTHER_PCT;
}

/** A bare measurement that shows the handler's own limit: undisturbed and CPU-bound. */
export function cleanCeiling(r: Row): boolean {
  return r.target === BARE_TARGET && undisturbed(r) && (r.serverCpuPct === null || r.serverCpuPct >= MIN_BARE_CPU_PCT);
}

/**
 * The ceiling for a route: the fastest clean bare measurement, else the fastest bare one
 * (then any ratio ≥ the goal is only a lower bound on the truth being worse, see goals.ts).
 */
export function ceilingFor(rows: Row[], route: Route): { rps: number; clean: boolean } | null {
  const bare = rows.filter((r) => r.target === BARE_TARGET && r.route === route && r.badStatus === 0);
  const clean = bare.filter(cleanCeiling);
  const pool = clean.length > 0 ? clean : bare;
  if (pool.length === 0) return null;
  return { rps: Math.max(...pool.map((r) => r.rps)), clean: clean.length > 0 };
}

export function toRows(measurements: Measurement[]): Row[] {
  const rows: Row[] = measurements.map((m) => ({
    target: m.targetId,
    label: m.label,
    route: m.route,
    rps: m.load.rps,
    p50Ms: m.load.p50Ms,
    p99Ms: m.load.p99Ms,
    ratioToBare: null,
    answered: m.load.requests,
    recorded: m.recorded,
    eventsPerSec: m.eventsPerSec,
    durationSec: m.load.durationSec,
    socketErrors: m.load.socketErrors,
    badStatus: m.load.badStatus,
    durable: m.recorded === null ? null : m.recorded >= m.load.requests && m.load.badStatus === 0,
    serverCpuPct: m.cpu.serverPct,
    otherOnCorePct: m.cpu.otherOnCorePct,
    stealPct: m.cpu.stealPct,
    loadCoreBusyPct: m.cpu.loadCoreBusyPct,
  }));
  for (const r of rows) {
    const ceiling = ceilingFor(rows, r.route);
    r.ratioToBare = ceiling ? r.rps / ceiling.rps : null;
  }
  return rows;
}
