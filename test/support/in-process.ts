import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/bootstrap/logger.js';
import { type Waymark, createWaymark } from '../../src/bootstrap/waymark.js';
import { type Config, loadConfig } from '../../src/config/config.js';
import { type Keyring, parseKeyring } from '../../src/core/tokens/index.js';
import type { Clock } from '../../src/ports/clock.js';
import { createTestDatabase } from './databases.js';
import { checkResponses } from './response-contract.js';

export const TEST_SECRET = 'test:' + 's'.repeat(40);

export interface RunningWaymark {
  waymark: Waymark;
  config: Config;
  keyring: Keyring;
  baseUrl: string;
  adminKey: string;
  /** Authenticated JSON request against the server. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export interface StartOptions {
  backend?: 'sqlite' | 'postgres';
  env?: Record<string, string>;
  clock?: Clock;
  trackingFastPath?: boolean;
}

/** A real Waymark on a real socket (port 0), on a fresh SQLite file or PostgreSQL database. */
export async function startWaymark(options: StartOptions = {}): Promise<RunningWaymark> {
  const dir = mkdtempSync(path.join(tmpdir(), 'waymark-test-'));
  const db = options.backend === 'postgres' ? await createTestDatabase() : null;
  const config = loadConfig({
    WAYMARK_DATA_DIR: dir,
    WAYMARK_DATABASE_URL: db?.url ?? `sqlite:${path.join(dir, 'waymark.db')}`,
    WAYMARK_SECRET: TEST_SECRET,
    WAYMARK_HOST: '127.0.0.1',
    PORT: '0',
    WAYMARK_TRACKING_URL: 'http://track.waymark.test',
    ...options.env,
  });
  const keyring = parseKeyring(config.secretSpec!);
  const waymark = await createWaymark(config, {
    keyring,
    logger: createLogger('silent'),
    clock: options.clock,
    trackingFastPath: options.trackingFastPath,
  });
  // Every JSON answer is checked against the OpenAPI document the server serves.
  const contract = checkResponses(waymark.app);
  const baseUrl = await waymark.listen();
  const adminKey = waymark.firstAdminKey!;
  return {
    waymark,
    config,
    keyring,
    baseUrl,
    adminKey,
    async api(method, urlPath, body, headers = {}) {
      const res = await fetch(baseUrl + urlPath, {
        method,
        headers: {
          authorization: `Bearer ${adminKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async stop() {
      await waymark.close();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
      if (contract.violations.length > 0) {
        throw new Error(`answers that do not match the OpenAPI document:\n${contract.violations.join('\n')}`);
      }
    },
  };
}

/** Rewrites a tracking URL minted for the configured tracking host onto the test server. */
export function onServer(running: RunningWaymark, trackingUrl: string): string {
  const u = new URL(trackingUrl);
  return running.baseUrl + u.pathname + u.search;
}
