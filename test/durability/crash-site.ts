import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { type ChildServer, startChildServer, waitForExit } from '../support/child-server.js';
import { createTestDatabase } from '../support/databases.js';

/**
 * What a kill -9 test needs: one data directory and (on PostgreSQL) one database, kept across
 * the server's death, with `waymark start` processes on them. Everything is removed after the suite.
 */
export interface CrashSite {
  /** The data directory (removed after the suite). */
  readonly dir: string;
  /** Starts a server on the site, with `env` added; the first start creates the database. */
  start(env?: Record<string, string>): Promise<ChildServer>;
  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  killNine(server: ChildServer): Promise<void>;
  /** SIGTERM, and the server must exit cleanly. */
  stop(server: ChildServer): Promise<void>;
  /** Runs after the suite, before the site is removed. */
  onCleanup(fn: () => Promise<void> | void): void;
}

export function crashSite(backend: 'sqlite' | 'postgres', name: string, env: Record<string, string> = {}): CrashSite {
  const dir = mkdtempSync(path.join(tmpdir(), `waymark-${name}-`));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  let siteEnv: Promise<Record<string, string>> | undefined;
  const environment = async (): Promise<Record<string, string>> => {
    const base = { WAYMARK_DATA_DIR: dir, WAYMARK_SECRET: `${name}:${'k'.repeat(40)}`, WAYMARK_TRACKING_URL: 'http://track.test', ...env };
    if (backend === 'sqlite') return base;
    const db = await createTestDatabase();
    cleanups.push(db.drop);
    return { ...base, WAYMARK_DATABASE_URL: db.url };
  };
  return {
    dir,
    async start(extra = {}) {
      siteEnv ??= environment();
      const server = await startChildServer({ ...(await siteEnv), ...extra });
      cleanups.push(() => void server.child.kill('SIGKILL'));
      return server;
    },
    async killNine(server) {
      server.child.kill('SIGKILL');
      await waitForExit(server.child);
    },
    async stop(server) {
      server.child.kill('SIGTERM');
      expect(await waitForExit(server.child)).toBe(0);
    },
    onCleanup(fn) {
      cleanups.push(fn);
    },
  };
}

/** One API call with the key; the parsed JSON answer. */
export async function api(server: ChildServer, key: string, method: string, urlPath: string, body?: unknown): Promise<any> {
  const res = await fetch(server.baseUrl + urlPath, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.json();
}
