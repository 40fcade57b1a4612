import { createRequire } from 'node:module';
import path from 'node:path';
import { hasCommand } from './machine.js';
import { REPO_ROOT, exited, spawnTracked, stopChild, tail } from './processes.js';

export type LoadTool = 'wrk' | 'autocannon';

/** One load run against one URL. */
export interface LoadResult {
  tool: LoadTool;
  url: string;
  connections: number;
  /** Requests that got a complete response ("answered"), whatever the status. */
  requests: number;
  durationSec: number;
  rps: number;
  p50Ms: number;
  p90Ms: number | null;
  p99Ms: number;
  maxMs: number;
  /** Socket errors and timeouts. */
  socketErrors: number;
  /** Responses outside 2xx/3xx. */
  badStatus: number;
  /** The load generator's own output, for the JSON file. */
  raw: string;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSec: number;
  core: number | null;
}

export function chooseLoadTool(): LoadTool {
  return hasCommand('wrk') ? 'wrk' : 'autocannon';
}

export async function runLoad(tool: LoadTool, options: LoadOptions): Promise<LoadResult> {
  return tool === 'wrk' ? runWrk(options) : runAutocannon(options);
}

/** Runs a child to completion and returns its output; killed if it overruns its time. */
async function runToEnd(core: number | null, command: string, args: string[], limitMs: number): Promise<string> {
  const spawned = spawnTracked(core, command, args);
  const timer = setTimeout(() => void stopChild(spawned.child, 1_000), limitMs);
  if (!exited(spawned.child)) await new Promise((resolve) => spawned.child.once('exit', resolve));
  clearTimeout(timer);
  if (spawned.child.exitCode !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${spawned.child.exitCode ?? spawned.child.signalCode}):\n${tail(spawned.output())}`);
  }
  return spawned.output();
}

// ── wrk ────────────────────────────────────────────────────────────────────────────────────────

interface WrkJson {
  requests: number;
  duration_us: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  max_us: number;
}

/**
 * One wrk thread (it has one core to itself and outruns a single Node process), `--latency` for the
 * percentiles, a 10 s socket timeout so slow answers count as latency rather than as errors, and a
 * Lua `done` hook that prints the exact figures as JSON.
 */
async function runWrk(o: LoadOptions): Promise<LoadResult> {
  const args = [
    '-t1',
    `-c${o.connections}`,
    `-d${o.durationSec}s`,
    '--timeout',
    '10s',
    '--latency',
    '-s',
    path.join(REPO_ROOT, 'bench', 'wrk-report.lua'),
    o.url,
  ];
  const raw = await runToEnd(o.core, 'wrk', args, (o.durationSec + 30) * 1000);
  return parseWrk(raw, o);
}

export function parseWrk(raw: string, o: Pick<LoadOptions, 'url' | 'connections'>): LoadResult {
  const line = raw.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${raw}`);
  const j = JSON.parse(line.slice('WRK_JSON '.length)) as WrkJson;
  const durationSec = j.duration_us / 1e6;
  return {
    tool: 'wrk',
    url: o.url,
    connections: o.connections,
    requests: j.requests,
    durationSec,
    rps: j.requests / durationSec,
    p50Ms: j.p50_us / 1000,
    p90Ms: j.p90_us / 1000,
    p99Ms: j.p99_us / 1000,
    maxMs: j.max_us / 1000,
    socketErrors: j.connect + j.read + j.write + j.timeout,
    badStatus: j.status,
    raw: raw.trim(),
  };
}

// ── autocannon (fallback) ──────────────────────────────────────────────────────────────────────

interface AutocannonJson {
  duration: number;
  errors: number;
  timeouts: number;
  '1xx': number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  latency: { p50: number; p90: number; p99: number; max: number };
  requests: { total: number };
}

/** autocannon in its own process, pinned like wrk would be; JSON output. */
async function runAutocannon(o: LoadOptions): Promise<LoadResult> {
  const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const args = [cli, '-c', String(o.connections), '-d', String(o.durationSec), '-j', o.url];
  const raw = await runToEnd(o.core, process.execPath, args, (o.durationSec + 30) * 1000);
  const start = raw.indexOf('{');
  if (start === -1) throw new Error(`autocannon printed no JSON:\n${raw}`);
  const j = JSON.parse(raw.slice(start, raw.lastIndexOf('}') + 1)) as AutocannonJson;
  const answered = j['1xx'] + j['2xx'] + j['3xx'] + j['4xx'] + j['5xx'];
  return {
    tool: 'autocannon',
    url: o.url,
    connections: o.connections,
    requests: answered,
    durationSec: j.duration,
    rps: answered / j.duration,
    p50Ms: j.latency.p50,
    p90Ms: j.latency.p90,
    p99Ms: j.latency.p99,
    maxMs: j.latency.max,
    socketErrors: j.errors + j.timeouts,
    badStatus: j['1xx'] + j['4xx'] + j['5xx'],
    raw: raw.slice(start).trim(),
  };
}
