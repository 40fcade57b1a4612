import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  type Spawned,
  exited,
  freePort,
  httpRequest,
  removeTempDir,
  spawnBuiltScript,
  stopChild,
  tail,
  tempDir,
  waitForHttp,
} from '../processes.js';
import { DESTINATION } from './responses.js';

export interface WaymarkOptions {
  core: number | null;
  /** false: WAYMARK_TRACKING_FAST_PATH=0, tracking goes through Fastify's router. */
  fastPath: boolean;
  /** A postgres:// URL, or null for SQLite in a fresh temp data dir. */
  databaseUrl: string | null;
  /** Extra node flags for the server (e.g. --cpu-prof). */
  nodeFlags?: string[];
}

/** A running Waymark server with one tracked email to hit. */
export interface WaymarkTarget {
  baseUrl: string;
  openUrl: string;
  clickUrl: string;
  /** open_count + click_count of the benchmark email, read back through the API. */
  recordedEvents(): Promise<number>;
  /** Lines the server logged at error level or above (e.g. "tracking hit not recorded"). */
  errorLog(): string[];
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Starts `waymark start` pinned to `core`, creates an email with tracking on, and finds its tracking URLs. */
export async function startWaymark(options: WaymarkOptions): Promise<WaymarkTarget> {
  const dataDir = tempDir('waymark');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PORT: String(port),
    WAYMARK_HOST: '127.0.0.1',
    WAYMARK_DATA_DIR: dataDir,
    WAYMARK_DATABASE_URL: options.databaseUrl ?? `sqlite:${path.join(dataDir, 'waymark.db')}`,
    WAYMARK_SECRET: `bench:${randomBytes(30).toString('base64url')}`,
    WAYMARK_PUBLIC_URL: baseUrl,
    WAYMARK_TRACKING_URL: baseUrl,
    WAYMARK_LOG_LEVEL: 'warn',
    WAYMARK_TRACKING_FAST_PATH: options.fastPath ? '1' : '0',
  };
  // Never inherit a relay: the benchmark email must stay `captured`.
  // The build, not the sources through tsx: what `npm start` runs (run.ts builds dist/ first).
  const spawned = spawnBuiltScript(options.core, path.join('dist', 'cli', 'main.js'), ['start'], { ...env, WAYMARK_SMTP_URL: '' }, options.nodeFlags);
  try {
    await waitForHttp(`${baseUrl}/healthz`, spawned, 'waymark');
    const adminKey = await waitForAdminKey(spawned);
    const emailId = await createEmail(baseUrl, adminKey);
    const email = await getEmail(baseUrl, adminKey, emailId);
    const openPath = /\/v1\/track\/open\/[^"'\s<>?]+/.exec(email.html ?? '')?.[0];
    const clickPath = /\/v1\/track\/click\/[^"'\s<>?]+/.exec(email.html ?? '')?.[0];
    if (!openPath || !clickPath) throw new Error(`the instrumented email has no pixel or no tracked link:\n${email.html}`);
    return {
      baseUrl,
      openUrl: baseUrl + openPath,
      clickUrl: baseUrl + clickPath,
      async recordedEvents() {
        const e = await getEmail(baseUrl, adminKey, emailId);
        return e.open_count + e.click_count;
      },
      errorLog: () => errorLines(spawned.output()),
      pid: spawned.child.pid,
      async stop() {
        await stopChild(spawned.child);
        removeTempDir(dataDir);
      },
    };
  } catch (err) {
    await stopChild(spawned.child);
    removeTempDir(dataDir);
    throw err;
  }
}

async function waitForAdminKey(spawned: Spawned): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const key = /Admin API key[^\n]*\n\s*\n\s*(wm_\S+)/.exec(spawned.output())?.[1];
    if (key) return key;
    if (exited(spawned.child) || Date.now() > deadline) {
      throw new Error(`waymark printed no admin API key:\n${tail(spawned.output())}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const EMAIL_HTML =
  '<!doctype html><html><body><p>Hello from the Waymark benchmark.</p>' +
  `<p><a href="${DESTINATION.replace(/&/g, '&amp;')}">Read more</a></p></body></html>`;

async function createEmail(baseUrl: string, adminKey: string): Promise<string> {
  const res = await httpRequest(`${baseUrl}/v1/emails`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      from: 'bench@example.com',
      to: 'reader@example.com',
      subject: 'Waymark benchmark',
      html: EMAIL_HTML,
      tracking: { open: true, click: true },
    }),
  });
  if (res.status !== 201) throw new Error(`POST /v1/emails answered ${res.status}: ${res.body.toString()}`);
  return (JSON.parse(res.body.toString()) as { id: string }).id;
}

interface EmailJson {
  html: string | null;
  open_count: number;
  click_count: number;
}

async function getEmail(baseUrl: string, adminKey: string, id: string): Promise<EmailJson> {
  const res = await httpRequest(`${baseUrl}/v1/emails/${id}`, { headers: { authorization: `Bearer ${adminKey}` } });
  if (res.status !== 200) throw new Error(`GET /v1/emails/${id} answered ${res.status}: ${res.body.toString()}`);
  return JSON.parse(res.body.toString()) as EmailJson;
}

/** pino levels: error = 50, fatal = 60. */
function errorLines(output: string): string[] {
  return output.split('\n').filter((line) => {
    if (!line.startsWith('{')) return false;
    try {
      return ((JSON.parse(line) as { level?: number }).level ?? 0) >= 50;
    } catch {
      return false;
    }
  });
}
