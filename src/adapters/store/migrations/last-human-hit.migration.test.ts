import { Migrator, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../test/support/backends.js';
import { newId } from '../../../lib/ids.js';
import { openStore } from '../open-store.js';
import { migrationProvider } from './index.js';
import { rawDatabase } from '../../../../test/support/raw-database.js';

const T0 = 1_760_000_000_000;
const DESKTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe.each(backends())('migration 012_last_human_hit on %s', (backend) => {
  it("still lets a machine's hit relabel a person's hit stored before it", async () => {
    const { db, url } = await rawDatabase(backend, cleanups);
    const projectId = newId();
    const emailId = newId();
    const openId = newId();
    try {
      const { error } = await new Migrator({ db, provider: migrationProvider(backend) }).migrateTo('011_aggregate_only');
      expect(error).toBeUndefined();
      const bool = backend === 'postgres' ? sql`true` : sql`1`;
      await sql`insert into projects (id, name, is_default, created_at) values (${projectId}, 'old', ${bool}, ${T0})`.execute(db);
      await sql`insert into emails (id, project_id, from_address, to_addresses, cc_addresses, bcc_addresses, reply_to, subject,
          headers, tags, track_opens, track_clicks, links, status, created_at, opened_at, open_count, last_event, last_event_at,
          human_opened_at)
        values (${emailId}, ${projectId}, 'a@example.com', '["b@example.com"]', '[]', '[]', '[]', 'Hi',
          '{}', '[]', ${bool}, 'html', '[]', 'captured', ${T0}, ${T0 + 3_600_000}, 1, 'opened', ${T0 + 3_600_000},
          ${T0 + 3_600_000})`.execute(db);
      await sql`insert into email_events (id, project_id, email_id, type, created_at, ip, user_agent, classification)
        values (${openId}, ${projectId}, ${emailId}, 'opened', ${T0 + 3_600_000}, '192.0.2.7', ${DESKTOP}, 'human')`.execute(db);
    } finally {
      await db.destroy();
    }

    const store = await openStore(url);
    try {
      await store.migrate();
      // A HEAD is a machine's by its own rules; the same client's open half a second before is
      // then the same machine's, which only the open read back shows.
      await store.events.appendHits([
        { id: newId(), emailId, type: 'clicked', method: 'HEAD', createdAt: T0 + 3_600_500, ip: '192.0.2.7', userAgent: DESKTOP, referer: null, linkIndex: null, url: null },
      ]);
      const [open] = await store.events.list(projectId, { type: 'opened', limit: 10 });
      expect(open).toMatchObject({ id: openId, classification: 'security_scanner' });
      expect(await store.emails.get(projectId, emailId)).toMatchObject({ machineOpenCount: 1, humanOpenedAt: null });
    } finally {
      await store.close();
    }
  });
});
