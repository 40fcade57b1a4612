/** A place in a journal: the segment's number and the byte offset after the last record read. */
export interface JournalPosition {
  segment: number;
  offset: number;
}

/** The start of every journal: before the first record of the first segment. */
export const JOURNAL_START: JournalPosition = { segment: 0, offset: 0 };

/** Whether `a` is at `b` or after it. */
export function isAtOrPast(a: JournalPosition, b: JournalPosition): boolean {
  return a.segment > b.segment || (a.segment === b.segment && a.offset >= b.offset);
}

/** Hits read from a journal, up to `end`: written with them, so they are never ingested twice. */
export interface JournalMark {
  journalId: string;
  end: JournalPosition;
}
