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

describe.each(backends())('migration 008_api_key_lifecycle on %s', (backend) => {
  it('keeps every existing key working, and lets new keys have the sending role', async () => {
    const { db, url } = await rawDatabase(backend, cleanups);
    const projectId = newId();
    const keyId = newId();
    try {
      const { error } = await new Migrator({ db, provider: migrationProvider(backend) }).migrateTo('007_email_bodies');
      expect(error).toBeUndefined();
      const bool = backend === 'postgres' ? sql`true` : sql`1`;
      await sql`insert into projects (id, name, is_default, created_at) values (${projectId}, 'old', ${bool}, ${T0})`.execute(db);
      await sql`insert into api_keys (id, project_id, name, role, prefix, hash, created_at, last_used_at)
        values (${keyId}, ${projectId}, 'old admin', 'admin', 'wm_old', ${'h'.repeat(64)}, ${T0}, ${T0 + 5})`.execute(db);
      await expect(
        sql`insert into api_keys (id, project_id, name, role, prefix, hash, created_at) values (${newId()}, ${projectId}, 's', 'sending', 'wm_s', 'x', ${T0})`.execute(db),
      ).rejects.toThrow();
    } finally {
      await db.destroy();
    }

    const store = await openStore(url);
    try {
      await store.migrate();
      expect(await store.apiKeys.findByHash('h'.repeat(64))).toEqual({
        id: keyId,
        projectId,
        name: 'old admin',
        role: 'admin',
        prefix: 'wm_old',
        createdAt: T0,
        lastUsedAt: T0 + 5,
        expiresAt: null,
        domainId: null,
      });
      const sending = await store.apiKeys.create({ id: newId(), projectId, name: 's', role: 'sending', prefix: 'wm_s', hash: 's'.repeat(64), createdAt: T0 });
      expect(sending.role).toBe('sending');
      await expect(
        store.apiKeys.create({ id: newId(), projectId, name: 'o', role: 'owner' as never, prefix: 'wm_o', hash: 'o'.repeat(64), createdAt: T0 }),
      ).rejects.toThrow();
      expect((await store.apiKeys.list(projectId)).map((k) => k.id)).toEqual([sending.id, keyId]);
    } finally {
      await store.close();
    }
  });
});
