import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadTool } from './load.js';
import type { Machine, Pinning } from './machine.js';
import { GOAL_P99_MS, GOAL_RATIO, GOAL_TARGET, type GoalResult, overallVerdict } from './goals.js';
import type { Measurement } from './measure.js';
import { REPO_ROOT } from './processes.js';
import { BARE_TARGET, MAX_OTHER_PCT, MIN_BARE_CPU_PCT, type Row } from './rows.js';

export interface RunInfo {
  command: string;
  startedAt: string;
  tool: LoadTool;
  toolVersion: string;
  connections: number;
  durationSec: number;
  warmupSec: number;
  machine: Machine;
  pinning: Pinning;
  postgres: { used: boolean; note: string };
  /** Share of all CPUs busy in the second before the run. */
  busyBeforePct: number | null;
  /** Anything the reader should know (responses that differ, skipped targets, server errors). */
  notes: string[];
}

// ── text ───────────────────────────────────────────────────────────────────────────────────────

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (n: number | null) => (n === null ? '–' : Math.round(n) + '%');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1)) + ' ms';

export function header(info: RunInfo): string {
  const m = info.machine;
  const p = info.pinning;
  const placement = p.pinned
    ? `servers pinned to core ${p.serverCore} (taskset -c ${p.serverCore}), load generator on core ${p.loadCore}`
    : `NOT pinned (${p.reason}): servers and load generator share the cores, so the figures are noisier and lower`;
  return [
    'Waymark tracking throughput benchmark',
    `  command:   ${info.command}`,
    `  machine:   ${m.nproc} CPU(s), ${m.cpuModel}; ${m.platform}, Linux ${m.kernel}; Node ${m.node}`,
    `  placement: ${placement}`,
    `  load:      ${info.tool} (${info.toolVersion}), ${info.connections} connections, ${info.durationSec} s per measurement after ${info.warmupSec} s warm-up, open and click measured separately`,
    `  baselines: measured in this same run, each in its own process, pinned like Waymark`,
    `  postgres:  ${info.postgres.note}`,
    `  before:    ${info.busyBeforePct === null ? 'unknown' : `${Math.round(info.busyBeforePct)}% of all CPUs busy in the second before the run`}`,
  ].join('\n');
}

export function table(rows: Row[]): string {
  const head = ['target', 'route', 'req/s', 'p50', 'p99', '× bare', 'answered', 'recorded', 'events/s', 'errors', 'srv CPU', 'srv core other', 'load core'];
  const body = rows.map((r) => [
    r.label,
    r.route,
    int(r.rps),
    ms(r.p50Ms),
    ms(r.p99Ms),
    r.badStatus > 0 ? 'invalid' : r.ratioToBare === null ? '–' : r.ratioToBare.toFixed(2) + '×',
    int(r.answered),
    r.recorded === null ? '–' : int(r.recorded),
    r.eventsPerSec === null ? '–' : int(r.eventsPerSec),
    String(r.socketErrors + r.badStatus),
    pct(r.serverCpuPct),
    pct(r.otherOnCorePct),
    pct(r.loadCoreBusyPct),
  ]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const right = new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const line = (row: string[]) => row.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [
    line(head),
    rule,
    ...body.map(line),
    '× bare: req/s ÷ the faster clean bare measurement of the route (bare runs first and again last).',
    'srv CPU: the server process\'s CPU, % of one core. srv core other: CPU used on the server\'s core by anything else',
    '(other processes, hypervisor steal); well above 0% means that row is depressed by it. load core: how busy the load',
    'generator\'s core was (wrk plus anything else); near 100% with srv CPU well below 100% means the load side was the limit.',
  ].join('\n');
}

/** "answered vs recorded" for every target that records, and the events/s per store. */
export function durability(rows: Row[]): string {
  const lines = ['Answered vs recorded (recorded = read back after the run; it may exceed answered by the requests in flight when the load stopped):'];
  for (const r of rows.filter((x) => x.recorded !== null)) {
    const diff = r.recorded! - r.answered;
    const verdict =
      r.badStatus > 0
        ? `INVALID: ${int(r.badStatus)} answered with an error status instead of the tracking answer (see the notes)`
        : r.durable
          ? `ok, no acknowledged hit lost (${diff >= 0 ? '+' : ''}${diff})`
          : `LOST ${int(-diff)} acknowledged hit(s)`;
    lines.push(`  ${r.label} ${r.route}: answered ${int(r.answered)}, recorded ${int(r.recorded!)} → ${verdict}`);
  }
  return lines.join('\n');
}

export function eventsSummary(rows: Row[]): string {
  const store = (target: string, name: string) => {
    const rs = rows.filter((r) => r.target === target && r.eventsPerSec !== null);
    if (rs.length === 0) return `  ${name}: not measured`;
    return `  ${name}: ` + rs.map((r) => `${r.route} ${int(r.eventsPerSec!)} events/s`).join(', ') + ' (every one fsynced in the node\'s journal before its answer, and in the store after the run)';
  };
  return ['Events/s sustained by Waymark (recorded ÷ duration):', store('waymark-sqlite', 'SQLite    '), store('waymark-postgres', 'PostgreSQL')].join('\n');
}

/** What the CPU figures say about how far each row can be trusted. */
export function caveats(rows: Row[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    if (r.otherOnCorePct !== null && r.otherOnCorePct > MAX_OTHER_PCT) {
      out.push(`${r.label} ${r.route}: ${Math.round(r.otherOnCorePct)}% of the server's core went to other processes or steal during the run: that row is depressed.`);
    }
    if (r.target === BARE_TARGET && r.p99Ms > GOAL_P99_MS) {
      out.push(
        `${r.label} ${r.route}: even the do-nothing handler's p99 is ${ms(r.p99Ms)}, above the ${GOAL_P99_MS} ms goal: on this machine part of ` +
          'the tail is scheduling noise, so read every p99 of this run with care.',
      );
    }
    if (r.target === BARE_TARGET && r.serverCpuPct !== null && r.serverCpuPct < MIN_BARE_CPU_PCT) {
      const load = r.loadCoreBusyPct === null ? '' : ` (the load core was ${Math.round(r.loadCoreBusyPct)}% busy)`;
      out.push(
        `${r.label} ${r.route}: the bare server used only ${Math.round(r.serverCpuPct)}% of its core${load}, so this figure is the limit of the load ` +
          'side (wrk plus the kernel\'s loopback TCP work) or of this machine, not of the handler; it is the ceiling only if no clean one exists.',
      );
    }
  }
  return out;
}

// ── JSON ───────────────────────────────────────────────────────────────────────────────────────

export const RESULTS_FILE = path.join(REPO_ROOT, 'bench', 'results', 'tracking-latest.json');

export function writeJson(info: RunInfo, rows: Row[], goals: GoalResult[], raw: Measurement[], text: string): string {
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  const doc = {
    benchmark: 'tracking-throughput',
    ...info,
    finishedAt: new Date().toISOString(),
    goals: {
      ratioToBare: GOAL_RATIO,
      p99Ms: GOAL_P99_MS,
      target: GOAL_TARGET,
      results: goals,
      overall: overallVerdict(goals),
    },
    rows,
    loadOutput: raw.map((m) => ({ target: m.targetId, label: m.label, route: m.route, tool: m.load.tool, output: m.load.raw })),
    report: text,
  };
  writeFileSync(RESULTS_FILE, JSON.stringify(doc, null, 2) + '\n');
  return RESULTS_FILE;
}
