import type { Store } from '../../ports/store.js';
import { createPostgresStore } from './postgres-store.js';
import { createSqliteStore } from './sqlite-store.js';

const USAGE = 'expected sqlite:<path>, sqlite::memory:, postgres://… or postgresql://…';

/**
 * Opens the store named by a database URL:
 * - `sqlite:<path>` (relative or absolute; `sqlite:///abs/path` also works; parent directories are
 *   created) or `sqlite::memory:`;
 * - `postgres://…` / `postgresql://…` (any libpq-style connection URL `pg` accepts).
 *
 * The store is not migrated: call `migrate()` on start.
 */
export async function openStore(url: string): Promise<Store> {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new Error(`Missing database URL: ${USAGE}`);
  }
  const lower = url.toLowerCase();
  if (lower.startsWith('sqlite:')) {
    let path = url.slice('sqlite:'.length);
    // URL form: sqlite:///abs/path → /abs/path, sqlite://rel/path → rel/path.
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') throw new Error(`Invalid database URL "sqlite:": missing file path; ${USAGE}`);
    return createSqliteStore(path);
  }
  if (lower.startsWith('postgres://') || lower.startsWith('postgresql://')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      // Never echo the URL: it may hold a password.
      throw new Error(`Invalid PostgreSQL database URL (not a URL); ${USAGE}`);
    }
    if (parsed.hostname === '' && !parsed.searchParams.has('host')) {
      throw new Error(`Invalid PostgreSQL database URL: missing host; ${USAGE}`);
    }
    return createPostgresStore(url);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new Error(
    scheme !== undefined
      ? `Unsupported database URL scheme "${scheme}:"; ${USAGE}`
      : `Invalid database URL (no scheme); ${USAGE}`,
  );
}
