import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type LoadTool, chooseLoadTool } from './load.js';

export const CONNECTIONS = 50;

/** The benchmark's knobs, from the environment (see bench/README.md). */
export interface Settings {
  tool: LoadTool;
  /** Why this tool: chosen by BENCH_LOAD_TOOL, or found on the PATH. */
  toolForced: boolean;
  durationSec: number;
  warmupSec: number;
  /** BENCH_ONLY: the target ids to run, or null for all. */
  only: string[] | null;
  /** BENCH_CPU_PROF: where the Waymark servers write CPU profiles, or null. */
  cpuProfDir: string | null;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const forced = env.BENCH_LOAD_TOOL?.trim();
  if (forced && forced !== 'wrk' && forced !== 'autocannon') throw new Error('BENCH_LOAD_TOOL must be wrk or autocannon');
  const durationSec = seconds(env, 'BENCH_DURATION', 8);
  if (durationSec < 1) throw new Error('BENCH_DURATION must be at least 1 second');
  const only = env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  const prof = env.BENCH_CPU_PROF?.trim();
  return {
    tool: (forced as LoadTool | undefined) || chooseLoadTool(),
    toolForced: Boolean(forced),
    durationSec,
    warmupSec: seconds(env, 'BENCH_WARMUP', 2),
    only: only && only.length > 0 ? only : null,
    cpuProfDir: prof ? path.resolve(prof) : null,
  };
}

export function wanted(settings: Settings, targetId: string): boolean {
  return settings.only === null || settings.only.includes(targetId);
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 600) throw new Error(`${name} must be a number of seconds from 0 to 600 (got "${raw}")`);
  return n;
}

/** How this run was started, with the settings that differ from the defaults (no secrets). */
export function commandLine(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'node --import tsx bench/run.ts';
  const vars = ['BENCH_DURATION', 'BENCH_WARMUP', 'BENCH_LOAD_TOOL', 'BENCH_ONLY', 'BENCH_CPU_PROF', 'WAYMARK_BENCH_DATABASE_URL']
    .filter((k) => env[k])
    .map((k) => (k === 'WAYMARK_BENCH_DATABASE_URL' ? `${k}=…` : `${k}=${env[k]}`));
  return [...vars, base].join(' ');
}

export function toolVersion(tool: LoadTool): string {
  if (tool === 'wrk') {
    const out = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
    return /^wrk (\S+)/m.exec(out.stdout)?.[1] ?? 'wrk';
  }
  const pkg = createRequire(import.meta.url)('autocannon/package.json') as { version: string };
  return `autocannon ${pkg.version}`;
}
