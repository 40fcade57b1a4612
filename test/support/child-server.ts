import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(REPO_ROOT, 'src/cli/main.ts');

/** Runs the waymark CLI from source in a child process. */
export function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, WAYMARK_LOG_LEVEL: 'info', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export interface ChildServer {
  child: ChildProcess;
  baseUrl: string;
  adminKey: string | null;
  /** Everything printed so far, both streams. */
  output: () => string;
  /** Each stream up to the start. */
  stdout: () => string;
  stderr: () => string;
}

/** Starts `waymark start` and resolves once it logs that it listens. */
export function startChildServer(env: Record<string, string>, timeoutMs = 30_000): Promise<ChildServer> {
  const child = spawnCli(['start'], { PORT: '0', WAYMARK_HOST: '127.0.0.1', ...env });
  let out = '';
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    // The first admin key comes on stderr, announced (without it) in the log on stdout.
    const check = () => {
      let address: string | undefined;
      let keyAnnounced = false;
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; address?: string };
        if (entry.msg?.startsWith('created the first admin key')) keyAnnounced = true;
        if (entry.msg === 'waymark started' && entry.address) address = entry.address;
      }
      if (address === undefined) return;
      const key = /Admin API key[^\n]*\n\s*\n\s*(wm_\S+)/.exec(stderr)?.[1] ?? null;
      if (keyAnnounced && key === null) return;
      clearTimeout(timer);
      child.stdout!.off('data', onStdout);
      child.stderr!.off('data', onStderr);
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
      resolve({ child, baseUrl: address, adminKey: key, output: () => out, stdout: () => stdout, stderr: () => stderr });
    };
    const onStdout = (c: Buffer) => {
      out += c.toString();
      stdout += c.toString();
      check();
    };
    const onStderr = (c: Buffer) => {
      out += c.toString();
      stderr += c.toString();
      check();
    };
    child.stdout!.on('data', onStdout);
    child.stderr!.on('data', onStderr);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting:\n${out}`));
    });
  });
}

export function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Runs a CLI command to completion, feeding `input` on stdin. */
export function runCli(args: string[], env: Record<string, string>, input: string | Buffer = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin!.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
