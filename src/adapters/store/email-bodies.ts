import type { Kysely, Selectable } from 'kysely';
import type { Email } from '../../core/model.js';
import { toEmail } from './rows.js';
import type { Database, EmailsTable } from './schema.js';

/** The emails of `rows` with their bodies (email_bodies, one query for all of them), in the same order. */
export async function withBodies(db: Kysely<Database>, rows: readonly Selectable<EmailsTable>[]): Promise<Email[]> {
  if (rows.length === 0) return [];
  const bodies = await db
    .selectFrom('email_bodies')
    .select(['email_id', 'html_body', 'text_body'])
    .where('email_id', 'in', rows.map((r) => r.id))
    .execute();
  const byId = new Map(bodies.map((b) => [b.email_id, b]));
  return rows.map((r) => toEmail(r, byId.get(r.id)));
}
