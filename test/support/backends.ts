import { requirePostgres } from './databases.js';

/** The backends an end-to-end suite runs on: SQLite always, PostgreSQL when configured (always in CI). */
export function backends(): Array<'sqlite' | 'postgres'> {
  return requirePostgres() ? ['sqlite', 'postgres'] : ['sqlite'];
}
