import { type CpuUsage, snapshot, usageBetween } from './cpu.js';
import { type LoadResult, type LoadTool, runLoad } from './load.js';
import { httpRequest, sleep } from './processes.js';

export type Route = 'open' | 'click';
export const ROUTES: readonly Route[] = ['open', 'click'];

/** What a target looks like to the measurement, whatever runs it. */
export interface Target {
  id: string;
  label: string;
  urls: Record<Route, string>;
  /** Hits durably recorded so far; null when the target records nothing. */
  recordedEvents: (() => Promise<number>) | null;
  /** The server process, for its CPU time. */
  pid: number | undefined;
}

export interface Measurement {
  targetId: string;
  label: string;
  route: Route;
  load: LoadResult;
  /** Events recorded during the measured run (read back after it), or null. */
  recorded: number | null;
  /** recorded ÷ the run's duration. */
  eventsPerSec: number | null;
  /** Server CPU and other load on its core during the measured run. */
  cpu: CpuUsage;
}

export interface MeasureSettings {
  tool: LoadTool;
  connections: number;
  durationSec: number;
  warmupSec: number;
  loadCore: number | null;
  serverCore: number | null;
}

/** Warms the route up, then measures it, reading the recorded count before and after. */
export async function measureRoute(target: Target, route: Route, s: MeasureSettings): Promise<Measurement> {
  const url = target.urls[route];
  if (s.warmupSec > 0) await runLoad(s.tool, { url, connections: s.connections, durationSec: s.warmupSec, core: s.loadCore });
  const before = target.recordedEvents ? await settledCount(target.recordedEvents) : null;
  const cpuBefore = snapshot(target.pid, s.serverCore, s.loadCore);
  const load = await runLoad(s.tool, { url, connections: s.connections, durationSec: s.durationSec, core: s.loadCore });
  const cpu = usageBetween(cpuBefore, snapshot(target.pid, s.serverCore, s.loadCore));
  const after = target.recordedEvents ? await settledCount(target.recordedEvents) : null;
  const recorded = before !== null && after !== null ? after - before : null;
  return {
    targetId: target.id,
    label: target.label,
    route,
    load,
    recorded,
    eventsPerSec: recorded !== null ? recorded / load.durationSec : null,
    cpu,
  };
}

/**
 * The count once it stops moving: when the load generator stops, requests it gave up on may still
 * be in the server and get recorded a moment later; they must not leak into the next run.
 */
async function settledCount(read: () => Promise<number>): Promise<number> {
  let last = await read();
  for (let i = 0; i < 50; i++) {
    await sleep(150);
    const now = await read();
    if (now === last) return now;
    last = now;
  }
  return last;
}

/** One request per route: status and headers, to check every target answers the same way. */
export interface Sample {
  status: number;
  headers: Record<string, string>;
  bodyBytes: number;
}

const VOLATILE_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

export async function sampleRoute(url: string): Promise<Sample> {
  const res = await httpRequest(url);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (!VOLATILE_HEADERS.has(k)) headers[k] = v;
  return { status: res.status, headers, bodyBytes: res.body.length };
}

/** Differences between a target's answer and the reference's, as readable strings (empty: same). */
export function sampleDifferences(reference: Sample, other: Sample): string[] {
  const diffs: string[] = [];
  if (reference.status !== other.status) diffs.push(`status ${other.status} (expected ${reference.status})`);
  if (reference.bodyBytes !== other.bodyBytes) diffs.push(`body ${other.bodyBytes} bytes (expected ${reference.bodyBytes})`);
  const names = new Set([...Object.keys(reference.headers), ...Object.keys(other.headers)]);
  for (const name of [...names].sort()) {
    const a = reference.headers[name];
    const b = other.headers[name];
    if (a !== b) diffs.push(`${name}: ${b ?? '(absent)'} (expected ${a ?? '(absent)'})`);
  }
  return diffs;
}
