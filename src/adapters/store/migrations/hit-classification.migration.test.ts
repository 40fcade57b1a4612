import { Migrator, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../test/support/backends.js';
import { bucketOf } from '../../../core/analytics/rollups.js';
import { newId } from '../../../lib/ids.js';
import { openStore } from '../open-store.js';
import { migrationProvider } from './index.js';
import { rawDatabase } from '../../../../test/support/raw-database.js';

const T0 = 1_760_000_000_000;
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe.each(backends())('migration 010_hit_classification on %s', (backend) => {
  it("counts the hits recorded before it as a person's, a click without an open included", async () => {
    const { db, url } = await rawDatabase(backend, cleanups);
    const projectId = newId();
    const opened = newId();
    const clickedOnly = newId();
    const openId = newId();
    try {
      const { error } = await new Migrator({ db, provider: migrationProvider(backend) }).migrateTo('009_journal_positions');
      expect(error).toBeUndefined();
      const bool = backend === 'postgres' ? sql`true` : sql`1`;
      await sql`insert into projects (id, name, is_default, created_at) values (${projectId}, 'old', ${bool}, ${T0})`.execute(db);
      for (const [id, openedAt, clickedAt, opens, clicks] of [
        [opened, T0 + 10, T0 + 20, 1, 1],
        [clickedOnly, null, T0 + 30, 0, 1],
      ] as const) {
        await sql`insert into emails (id, project_id, from_address, to_addresses, cc_addresses, bcc_addresses, reply_to, subject,
            headers, tags, track_opens, track_clicks, links, status, created_at, opened_at, clicked_at, open_count, click_count)
          values (${id}, ${projectId}, 'a@example.com', '["b@example.com"]', '[]', '[]', '[]', 'Hi',
            '{}', '[]', ${bool}, 'html', '[]', 'captured', ${T0}, ${openedAt}, ${clickedAt}, ${opens}, ${clicks})`.execute(db);
      }
      await sql`insert into email_events (id, project_id, email_id, type, created_at, user_agent)
        values (${openId}, ${projectId}, ${opened}, 'opened', ${T0 + 10}, 'Mozilla/5.0')`.execute(db);
      await sql`insert into analytics_rollups (project_id, tag, bucket, domain_id, sent, opened, opens, clicked, clicks)
        values (${projectId}, '', ${bucketOf(T0)}, '', 2, 1, 1, 2, 2)`.execute(db);
      await sql`insert into analytics_client_rollups (project_id, tag, bucket, domain_id, client, device, os, opens)
        values (${projectId}, '', ${bucketOf(T0)}, '', 'Apple Mail Privacy Protection', 'proxy', 'unknown', 1)`.execute(db);
    } finally {
      await db.destroy();
    }

    const store = await openStore(url);
    try {
      await store.migrate();
      expect(await store.analytics.summary(projectId, {})).toEqual({
        sent: 2,
        opened: 1,
        opens: 1,
        clicked: 2,
        clicks: 2,
        humanOpened: 2,
        humanOpens: 1,
        humanClicked: 2,
        humanClicks: 2,
        aggregateOnlySent: 0,
      });
      expect(await store.analytics.clients(projectId, {})).toMatchObject([{ opens: 1, humanOpens: 1 }]);
      expect(await store.emails.get(projectId, opened)).toMatchObject({ humanOpenedAt: T0 + 10, humanClickedAt: T0 + 20, machineOpenCount: 0 });
      expect(await store.emails.get(projectId, clickedOnly)).toMatchObject({ humanOpenedAt: T0 + 30, humanClickedAt: T0 + 30 });
      const [event] = await store.events.list(projectId, { type: 'opened', limit: 10 });
      expect(event).toMatchObject({ id: openId, classification: 'human', proxy: null, signals: null });
    } finally {
      await store.close();
    }
  });
});
