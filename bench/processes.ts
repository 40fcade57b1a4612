import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinnedCommand } from './machine.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Every child process and temp dir the benchmark creates is registered here, so that they are
 * all killed and removed at the end, on an error, and on Ctrl-C.
 */
const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `waymark-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export interface Spawned {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
}

/** Spawns a command (pinned to `core` when given) and registers it for cleanup. */
export function spawnTracked(
  core: number | null,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Spawned {
  const cmd = pinnedCommand(core, command, args);
  const child = spawn(cmd.command, cmd.args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  const append = (c: Buffer) => {
    out += c.toString();
    if (out.length > 1_000_000) out = out.slice(-500_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  return { child, output: () => out };
}

/** A `node --import tsx <script>` child, for the baselines. */
export function spawnNodeScript(core: number | null, script: string, args: string[], env: Record<string, string>, nodeFlags: string[] = []): Spawned {
  return spawnTracked(core, process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], env);
}

/** A plain `node <script>` child: Waymark as `npm start` runs it, from the build in dist/. */
export function spawnBuiltScript(core: number | null, script: string, args: string[], env: Record<string, string>, nodeFlags: string[] = []): Spawned {
  return spawnTracked(core, process.execPath, [...nodeFlags, script, ...args], env);
}

/** Builds dist/ from the sources (tsc), so the benchmark measures this tree's code as it ships. */
export function buildDist(): void {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (exited(child)) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

/** Synchronous last resort (process 'exit'): kill whatever is left and remove the temp dirs. */
function killAllNow(): void {
  for (const child of children) if (!exited(child)) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

const cleanupHooks = new Set<() => Promise<void>>();

/** An async clean-up step (e.g. dropping the throwaway database) run by cleanupAll; returns its removal. */
export function registerCleanup(hook: () => Promise<void>): () => void {
  cleanupHooks.add(hook);
  return () => cleanupHooks.delete(hook);
}

export async function cleanupAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c, 3_000)));
  for (const dir of [...tempDirs]) removeTempDir(dir);
  for (const hook of [...cleanupHooks]) {
    cleanupHooks.delete(hook);
    await hook().catch((err: unknown) => process.stderr.write(`bench: clean-up failed: ${String(err)}\n`));
  }
}

let installed = false;
/** Kills the children and removes the temp dirs however the process ends. */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping the child processes\n`);
      cleanupAll().finally(() => process.exit(130));
    });
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One plain HTTP request to 127.0.0.1 (no redirects followed, no keep-alive). */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`timeout: ${options.method ?? 'GET'} ${url}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Polls `url` until it answers (any status), the child exits, or the timeout passes. */
export async function waitForHttp(url: string, spawned: Spawned, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited(spawned.child)) {
      throw new Error(`${what} exited (code ${spawned.child.exitCode ?? spawned.child.signalCode}) before listening:\n${tail(spawned.output())}`);
    }
    try {
      await httpRequest(url, { timeoutMs: 1_000 });
      return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${url} within ${timeoutMs} ms:\n${tail(spawned.output())}`);
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}
