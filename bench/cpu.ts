import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU accounting from /proc, to tell a slow server from a crowded core: how much of one core the
 * server process used, and how much of its core something else used meanwhile (other processes,
 * or the hypervisor's steal). Linux only; elsewhere every figure is null.
 */
export interface CpuSnapshot {
  at: number;
  /** utime + stime of the process, in clock ticks. */
  process: number | null;
  /** busy and steal ticks of the core, from /proc/stat. */
  coreBusy: number | null;
  coreSteal: number | null;
  /** busy (incl. steal) and total ticks of the load generator's core. */
  loadBusy: number | null;
  loadTotal: number | null;
}

export interface CpuUsage {
  /** CPU the server used, in % of one core over the wall time. */
  serverPct: number | null;
  /** CPU used on the server's core by anything else, incl. steal, in %. */
  otherOnCorePct: number | null;
  /** Of which steal (the hypervisor ran someone else). */
  stealPct: number | null;
  /** How busy the load generator's core was, all users together, in %: near 100% means the load side may be the limit. */
  loadCoreBusyPct: number | null;
}

let clockTicks: number | null | undefined;
function ticksPerSecond(): number | null {
  if (clockTicks !== undefined) return clockTicks;
  try {
    clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || null;
  } catch {
    clockTicks = process.platform === 'linux' ? 100 : null;
  }
  return clockTicks;
}

function processTicks(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function coreTicks(core: number | null): { busy: number; steal: number; total: number } | null {
  if (core === null) return null;
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`cpu${core} `));
    if (!line) return null;
    // user nice system idle iowait irq softirq steal guest guest_nice
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = user! + nice! + system! + irq! + softirq!;
    return { busy, steal: steal ?? 0, total: busy + idle! + iowait! + (steal ?? 0) };
  } catch {
    return null;
  }
}

export function snapshot(pid: number | undefined, core: number | null, loadCore: number | null): CpuSnapshot {
  const c = coreTicks(core);
  const l = coreTicks(loadCore);
  return {
    at: performance.now(),
    process: processTicks(pid),
    coreBusy: c?.busy ?? null,
    coreSteal: c?.steal ?? null,
    loadBusy: l ? l.busy + l.steal : null,
    loadTotal: l?.total ?? null,
  };
}

export function usageBetween(a: CpuSnapshot, b: CpuSnapshot): CpuUsage {
  const hz = ticksPerSecond();
  const wallTicks = hz === null ? null : ((b.at - a.at) / 1000) * hz;
  const pct = (ticks: number | null) => (ticks === null || wallTicks === null || wallTicks <= 0 ? null : (100 * ticks) / wallTicks);
  const server = a.process !== null && b.process !== null ? b.process - a.process : null;
  const busy = a.coreBusy !== null && b.coreBusy !== null ? b.coreBusy - a.coreBusy : null;
  const steal = a.coreSteal !== null && b.coreSteal !== null ? b.coreSteal - a.coreSteal : null;
  const other = busy !== null && server !== null ? Math.max(0, busy - server) + (steal ?? 0) : null;
  const loadBusy = a.loadBusy !== null && b.loadBusy !== null ? b.loadBusy - a.loadBusy : null;
  const loadTotal = a.loadTotal !== null && b.loadTotal !== null ? b.loadTotal - a.loadTotal : null;
  const loadCoreBusyPct = loadBusy !== null && loadTotal ? (100 * loadBusy) / loadTotal : null;
  return { serverPct: pct(server), otherOnCorePct: pct(other), stealPct: pct(steal), loadCoreBusyPct };
}

/** Share of all CPUs busy over `ms`, before the run starts: other work on the machine skews the figures. */
export async function machineBusyPct(ms = 1_000): Promise<number | null> {
  const read = () => {
    try {
      const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
      return { busy: user! + nice! + system! + irq! + softirq! + (steal ?? 0), total: user! + nice! + system! + idle! + iowait! + irq! + softirq! + (steal ?? 0) };
    } catch {
      return null;
    }
  };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  if (!a || !b || b.total === a.total) return null;
  return (100 * (b.busy - a.busy)) / (b.total - a.total);
}
