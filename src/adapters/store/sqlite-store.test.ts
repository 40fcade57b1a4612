import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../ports/store.js';
import { newId } from '../../lib/ids.js';
import { migrationNames } from './migrations/index.js';
import { openStore } from './open-store.js';
import { createSqliteStore } from './sqlite-store.js';
import type { SqliteStore } from './sqlite-store.js';
import { defineAnalyticsContract } from './contracts/analytics.contract.js';
import { defineDomainContract } from './contracts/domain.contract.js';
import { defineRetentionContract } from './contracts/retention.contract.js';
import { defineStoreContract, FAIL_ON_UPDATE_SUBJECT, newEmail } from './contracts/store.contract.js';
import { defineWebhookContract } from './contracts/webhook.contract.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'waymark-sqlite-test-'));
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const paths = new WeakMap<Store, string>();
let n = 0;

async function openFresh(): Promise<Store> {
  const path = join(dir, `store-${++n}`, 'waymark.db');
  const store = await openStore(`sqlite:${path}`);
  paths.set(store, path);
  return store;
}

defineWebhookContract('SQLite', openFresh);
defineDomainContract('SQLite', openFresh);
defineRetentionContract('SQLite', openFresh);
defineAnalyticsContract('SQLite', openFresh);

defineStoreContract('SQLite', openFresh, {
  async failEmailUpdates(store) {
    const path = paths.get(store);
    if (path === undefined) throw new Error('unknown store');
    const other = new BetterSqlite3(path);
    try {
      other.exec(`create trigger fail_email_update before update on emails
        when new.subject = '${FAIL_ON_UPDATE_SUBJECT}'
        begin select raise(abort, 'injected failure'); end`);
    } finally {
      other.close();
    }
  },
});

describe('SQLite store', () => {
  it('uses WAL, synchronous = FULL, a busy timeout and foreign keys', async () => {
    const store = createSqliteStore(join(dir, 'pragmas', 'waymark.db'));
    try {
      expect(store.pragma('journal_mode')).toBe('wal');
      expect(store.pragma('synchronous')).toBe(2);
      expect(store.pragma('foreign_keys')).toBe(1);
      expect(store.pragma('busy_timeout')).toBe(5000);
    } finally {
      await store.close();
    }
  });

  it('creates parent directories and keeps committed data across reopen', async () => {
    const path = join(dir, 'deep', 'er', 'waymark.db');
    const first = await openStore(`sqlite:${path}`);
    await first.migrate();
    const pid = newId();
    await first.projects.create({ id: pid, name: 'p', isDefault: true, createdAt: 1 });
    const email = newEmail(pid);
    await first.emails.create(email);
    await first.close();
    expect(existsSync(path)).toBe(true);

    const second = await openStore(`sqlite:${path}`);
    await second.migrate();
    expect(await second.emails.get(pid, email.id)).toMatchObject({ id: email.id, subject: email.subject });
    await second.close();
  });

  it('migrates once when several processes start on the same file at the same time', async () => {
    const path = join(dir, 'multi', 'waymark.db');
    const children = Array.from({ length: 4 }, () => startMigrateChild(`sqlite:${path}`));
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    const outputs = await Promise.all(children.map((c) => c.exit));
    for (const out of outputs) expect(out).toEqual({ code: 0, stdout: 'ready\ndone\n', stderr: '' });
    const raw = new BetterSqlite3(path, { readonly: true });
    try {
      expect(raw.prepare('select name from kysely_migration').pluck().all()).toEqual(await migrationNames());
    } finally {
      raw.close();
    }
  });

  it('opens sqlite::memory:', async () => {
    const store = await openStore('sqlite::memory:');
    await store.migrate();
    expect(store.backend).toBe('sqlite');
    expect(await store.projects.list()).toEqual([]);
    await store.close();
  });
});

/** Runs migrate-child.test-helpers.ts in its own process (its own SQLite connection). */
function startMigrateChild(url: string) {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'migrate-child.test-helpers.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, url], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.startsWith('ready\n')) onReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  // A child that dies before "ready" must not hang the test.
  void exit.then(onReady);
  return { ready, exit, go: () => child.stdin.end('go\n') };
}
