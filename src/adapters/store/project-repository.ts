import type { Kysely } from 'kysely';
import type { NewProject, ProjectRepository } from '../../ports/store.js';
import { normalizeId, requireId, toProject } from './rows.js';
import type { Database, DbBool } from './schema.js';

export function projectRepository(db: Kysely<Database>, bool: (value: boolean) => DbBool): ProjectRepository {
  return {
    async create(project: NewProject) {
      const row = await db
        .insertInto('projects')
        .values({
          id: requireId(project.id, 'project id'),
          name: project.name,
          is_default: bool(project.isDefault),
          created_at: project.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toProject(row);
    },
    async get(id) {
      const pid = normalizeId(id);
      if (pid === undefined) return undefined;
      const row = await db.selectFrom('projects').selectAll().where('id', '=', pid).executeTakeFirst();
      return row && toProject(row);
    },
    async getDefault() {
      const row = await db
        .selectFrom('projects')
        .selectAll()
        .where('is_default', '=', bool(true))
        .executeTakeFirst();
      return row && toProject(row);
    },
    async list() {
      const rows = await db.selectFrom('projects').selectAll().orderBy('id', 'desc').execute();
      return rows.map(toProject);
    },
  };
}
