import { Migrator, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../test/support/backends.js';
import { newId } from '../../../lib/ids.js';
import { openStore } from '../open-store.js';
import { migrationProvider } from './index.js';
import { rawDatabase } from '../../../../test/support/raw-database.js';

const T0 = 1_760_000_000_000;
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe.each(backends())('migration 007_email_bodies on %s', (backend) => {
  it('moves every existing body to email_bodies and keeps serving it', async () => {
    const { db, url } = await rawDatabase(backend, cleanups);
    const projectId = newId();
    const withBoth = newId();
    const htmlOnly = newId();
    try {
      const { error } = await new Migrator({ db, provider: migrationProvider(backend) }).migrateTo('006_retention');
      expect(error).toBeUndefined();
      const bool = backend === 'postgres' ? sql`true` : sql`1`;
      await sql`insert into projects (id, name, is_default, created_at) values (${projectId}, 'old', ${bool}, ${T0})`.execute(db);
      for (const [id, html, text] of [
        [withBoth, '<p>Old <b>newsletter</b></p>', 'Old newsletter'],
        [htmlOnly, '<p>Only HTML</p>', null],
      ] as const) {
        await sql`insert into emails (id, project_id, from_address, to_addresses, cc_addresses, bcc_addresses, reply_to, subject,
            html_body, text_body, headers, tags, track_opens, track_clicks, links, status, created_at)
          values (${id}, ${projectId}, 'a@example.com', '["b@example.com"]', '[]', '[]', '[]', 'Hi',
            ${html}, ${text}, '{}', '[]', ${bool}, 'off', '[]', 'captured', ${T0})`.execute(db);
      }
    } finally {
      await db.destroy();
    }

    const store = await openStore(url);
    try {
      await store.migrate();
      expect(await store.emails.get(projectId, withBoth)).toMatchObject({ html: '<p>Old <b>newsletter</b></p>', text: 'Old newsletter' });
      expect(await store.emails.get(projectId, htmlOnly)).toMatchObject({ html: '<p>Only HTML</p>', text: null });
      expect((await store.emails.list(projectId, { limit: 10 })).map((e) => e.html)).toEqual(['<p>Only HTML</p>', '<p>Old <b>newsletter</b></p>']);
    } finally {
      await store.close();
    }
  });
});
