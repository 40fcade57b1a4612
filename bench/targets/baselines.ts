import path from 'node:path';
import { freePort, httpRequest, removeTempDir, spawnNodeScript, stopChild, tempDir, waitForHttp } from '../processes.js';

/** A running baseline server (bare-http.ts or naive-sqlite.ts). */
export interface BaselineTarget {
  openUrl: string;
  clickUrl: string;
  /** Hits written durably so far; null when the target records nothing (the bare handler). */
  recordedEvents: (() => Promise<number>) | null;
  pid: number | undefined;
  stop(): Promise<void>;
}

// Token-shaped path segments; the baselines do not verify them.
const OPEN_PATH = '/v1/track/open/bench-open-token-0123456789abcdefghijklmnopqrstuvwxyz';
const CLICK_PATH = '/v1/track/click/bench-click-token-0123456789abcdefghijklmnopqrstuvwxyz';

export async function startBaseline(kind: 'bare' | 'naive', core: number | null): Promise<BaselineTarget> {
  const dataDir = kind === 'naive' ? tempDir('naive') : null;
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const script = path.join('bench', 'targets', kind === 'bare' ? 'bare-http.ts' : 'naive-sqlite.ts');
  const env: Record<string, string> = { PORT: String(port) };
  if (dataDir) env.BENCH_DATA_DIR = dataDir;
  const spawned = spawnNodeScript(core, script, [], env);
  const stop = async () => {
    await stopChild(spawned.child);
    if (dataDir) removeTempDir(dataDir);
  };
  try {
    await waitForHttp(`${baseUrl}/`, spawned, `${kind} baseline`);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    openUrl: baseUrl + OPEN_PATH,
    clickUrl: baseUrl + CLICK_PATH,
    recordedEvents:
      kind === 'naive'
        ? async () => (JSON.parse((await httpRequest(`${baseUrl}/__bench/count`)).body.toString()) as { count: number }).count
        : null,
    pid: spawned.child.pid,
    stop,
  };
}
