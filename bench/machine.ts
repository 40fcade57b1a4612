import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What the figures were measured on; printed above the table and stored in the JSON. */
export interface Machine {
  nproc: number;
  cpuModel: string;
  node: string;
  kernel: string;
  platform: string;
}

export function describeMachine(): Machine {
  return {
    nproc: os.availableParallelism(),
    cpuModel: cpuModel(),
    node: process.version,
    kernel: os.release(),
    platform: `${os.platform()}/${os.arch()}`,
  };
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => /^model name\s*:/.test(l));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: fall through
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/**
 * How processes are placed: the server under test on one core, the load generator on another,
 * so neither steals the other's CPU. Without taskset or with fewer than two cores everything
 * runs unpinned, and the report says so.
 */
export interface Pinning {
  pinned: boolean;
  serverCore: number | null;
  loadCore: number | null;
  /** Why it is not pinned, when it is not. */
  reason: string | null;
}

export function choosePinning(machine: Machine): Pinning {
  if (process.platform !== 'linux') return unpinned('not Linux');
  if (!hasCommand('taskset')) return unpinned('taskset not found');
  const cores = allowedCores();
  if (cores.length < 2) return unpinned(`only ${cores.length || machine.nproc} core(s) available`);
  return { pinned: true, serverCore: cores[0]!, loadCore: cores[1]!, reason: null };
}

function unpinned(reason: string): Pinning {
  return { pinned: false, serverCore: null, loadCore: null, reason };
}

/** Prefixes a command with `taskset -c <core>` when pinning. */
export function pinnedCommand(core: number | null, command: string, args: string[]): { command: string; args: string[] } {
  if (core === null) return { command, args };
  return { command: 'taskset', args: ['-c', String(core), command, ...args] };
}

/** Moves this process (all its threads) to `core`, so the orchestrator stays off the server's core. */
export function pinSelf(core: number | null): void {
  if (core === null) return;
  try {
    execFileSync('taskset', ['-a', '-c', '-p', String(core), String(process.pid)], { stdio: 'ignore' });
  } catch {
    // best effort: the orchestrator is idle while measuring
  }
}

export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The CPUs this process may run on (the affinity mask, e.g. inside a container), ascending. */
function allowedCores(): number[] {
  try {
    const out = execFileSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' });
    const list = out.slice(out.lastIndexOf(':') + 1).trim();
    const cores: number[] = [];
    for (const part of list.split(',')) {
      const [a, b] = part.split('-').map((s) => Number(s.trim()));
      if (a === undefined || !Number.isInteger(a)) continue;
      const end = b !== undefined && Number.isInteger(b) ? b : a;
      for (let c = a; c <= end; c++) cores.push(c);
    }
    return cores;
  } catch {
    return [];
  }
}
