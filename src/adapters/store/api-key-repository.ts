import type { Kysely } from 'kysely';
import type { ApiKeyRepository, NewApiKey } from '../../ports/store.js';
import { normalizeId, requireId, toApiKey } from './rows.js';
import type { Database } from './schema.js';

export function apiKeyRepository(db: Kysely<Database>): ApiKeyRepository {
  return {
    async create(key: NewApiKey) {
      const row = await db
        .insertInto('api_keys')
        .values({
          id: requireId(key.id, 'API key id'),
          project_id: requireId(key.projectId, 'project id'),
          name: key.name,
          role: key.role,
          prefix: key.prefix,
          hash: key.hash,
          created_at: key.createdAt,
          last_used_at: null,
          expires_at: key.expiresAt ?? null,
          domain_id: key.domainId === undefined || key.domainId === null ? null : requireId(key.domainId, 'domain id'),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toApiKey(row);
    },
    async findByHash(hash) {
      const row = await db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row && toApiKey(row);
    },
    async findById(id) {
      const kid = normalizeId(id);
      if (kid === undefined) return undefined;
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', kid).executeTakeFirst();
      return row && toApiKey(row);
    },
    async touch(id, at) {
      const kid = normalizeId(id);
      if (kid === undefined) return;
      // Never moves backwards when several nodes touch the same key.
      await db
        .updateTable('api_keys')
        .set({ last_used_at: at })
        .where('id', '=', kid)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    },
    async count() {
      const row = await db
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async list(projectId) {
      const pid = normalizeId(projectId);
      if (pid === undefined) return [];
      const rows = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('project_id', '=', pid)
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toApiKey);
    },
    async get(projectId, id) {
      const pid = normalizeId(projectId);
      const kid = normalizeId(id);
      if (pid === undefined || kid === undefined) return undefined;
      const row = await db.selectFrom('api_keys').selectAll().where('project_id', '=', pid).where('id', '=', kid).executeTakeFirst();
      return row && toApiKey(row);
    },
    async delete(projectId, id) {
      const pid = normalizeId(projectId);
      const kid = normalizeId(id);
      if (pid === undefined || kid === undefined) return false;
      const result = await db.deleteFrom('api_keys').where('project_id', '=', pid).where('id', '=', kid).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
