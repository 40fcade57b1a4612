import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';
import type { JournalMark, JournalPosition } from '../../ports/journal-position.js';
import { requireId } from './rows.js';
import type { Database } from './schema.js';

/** Thrown inside an ingest transaction whose journal position is not ahead of the stored one: it rolls back. */
export class StaleJournalPosition extends Error {
  constructor(mark: JournalMark) {
    super(`journal ${mark.journalId} is already ingested past segment ${mark.end.segment} offset ${mark.end.offset}`);
    this.name = 'StaleJournalPosition';
  }
}

/**
 * Moves a journal's position forward, in the ingest transaction of the hits it covers. Returns a
 * row only when the position moved: a batch ingested twice (a retry after a lost COMMIT answer, or
 * a second ingester) finds the position already past it, and its transaction must roll back.
 */
export function advancePosition(mark: JournalMark, at: number): RawBuilder<{ journal_id: string }> {
  return sql<{ journal_id: string }>`
    insert into journal_positions (journal_id, segment, byte_offset, updated_at)
    values (${requireId(mark.journalId, 'journal id')}, ${mark.end.segment}, ${mark.end.offset}, ${at})
    on conflict (journal_id) do update set
      segment = excluded.segment, byte_offset = excluded.byte_offset, updated_at = excluded.updated_at
    where journal_positions.segment < excluded.segment
      or (journal_positions.segment = excluded.segment and journal_positions.byte_offset < excluded.byte_offset)
    returning journal_id`;
}

export async function readPosition(db: Kysely<Database>, journalId: string): Promise<JournalPosition | undefined> {
  const row = await db
    .selectFrom('journal_positions')
    .select(['segment', 'byte_offset'])
    .where('journal_id', '=', requireId(journalId, 'journal id'))
    .executeTakeFirst();
  return row && { segment: Number(row.segment), offset: Number(row.byte_offset) };
}
