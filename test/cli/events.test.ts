import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { hit, newEmail } from '../../src/adapters/store/contracts/store.contract.js';
import { openStore } from '../../src/adapters/store/open-store.js';
import { newId } from '../../src/lib/ids.js';
import type { Store } from '../../src/ports/store.js';
import { backends } from '../support/backends.js';
import { runCli } from '../support/child-server.js';
import { createTestDatabase } from '../support/databases.js';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';

/** A bare Kysely on the store's database, to write what no store operation writes. */
function bareDatabase(url: string): Kysely<any> {
  return url.startsWith('sqlite:')
    ? new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(url.slice('sqlite:'.length)) }) })
    : new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
}

const T0 = 1_760_000_000_000;
const HOUR = 3_600_000;
const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each(backends())('waymark events reclassify on %s', (backend) => {
  it('labels hits stored before classification and moves their counts, once', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'waymark-cli-events-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const db = backend === 'postgres' ? await createTestDatabase() : null;
    if (db) cleanups.push(db.drop);
    const url = db?.url ?? `sqlite:${path.join(dataDir, 'waymark.db')}`;
    const env = { WAYMARK_DATA_DIR: dataDir, WAYMARK_DATABASE_URL: url };
    const store: Store = await openStore(url);
    cleanups.push(() => store.close());
    await store.migrate();
    const projectId = newId();
    await store.projects.create({ id: projectId, name: 'p', isDefault: true, createdAt: T0 });
    const created = await store.emails.create(newEmail(projectId, { status: 'captured', sentAt: T0, createdAt: T0 }));
    if (created.outcome !== 'created') throw new Error('no email');
    const emailId = created.email.id;
    // A person's click, a chat app's link preview and a script's open, an hour after sending.
    await store.events.appendHits([
      hit(emailId, 'clicked', T0 + HOUR, { userAgent: BROWSER }),
      hit(emailId, 'clicked', T0 + 2 * HOUR, { userAgent: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' }),
      hit(emailId, 'opened', T0 + 3 * HOUR, { userAgent: 'curl/8.5.0' }),
    ]);
    const labelled = await store.events.list(projectId, { emailId, limit: 10 });
    const summary = await store.analytics.summary(projectId, {});
    const email = await store.emails.get(projectId, emailId);

    // As the upgrade leaves hits recorded before classification: each a person's, no signals.
    const raw = bareDatabase(url);
    try {
      await sql`update email_events set classification = 'human', proxy = null, signals = null where type in ('opened', 'clicked')`.execute(raw);
      await sql`update emails set machine_open_count = 0, machine_click_count = 0, human_opened_at = ${T0 + HOUR}, human_clicked_at = ${T0 + HOUR}`.execute(raw);
      await sql`update analytics_rollups set human_opened = opened, human_opens = opens, human_clicked = clicked, human_clicks = clicks`.execute(raw);
      await sql`update analytics_link_rollups set human_clicks = clicks, human_unique_clicks = unique_clicks`.execute(raw);
      await sql`update analytics_client_rollups set human_opens = opens`.execute(raw);
      await sql`update email_link_clicks set machine_clicks = 0`.execute(raw);
    } finally {
      await raw.destroy();
    }
    expect((await store.analytics.summary(projectId, {})).humanClicks).toBe(2);

    const run = await runCli(['events', 'reclassify', '--batch', '1'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^1 emails, 3 opens and clicks, 3 relabelled\n$/);
    expect(await store.events.list(projectId, { emailId, limit: 10 })).toEqual(labelled);
    expect(await store.analytics.summary(projectId, {})).toEqual(summary);
    expect(await store.emails.get(projectId, emailId)).toEqual(email);
    expect(await store.analytics.links(projectId, {})).toMatchObject([{ clicks: 2, humanClicks: 1, humanUniqueClicks: 1 }]);

    // Run again: nothing left to change.
    const again = await runCli(['events', 'reclassify'], env);
    expect(again.stdout).toMatch(/^1 emails, 3 opens and clicks, 0 relabelled\n$/);
  }, 60_000);
});
