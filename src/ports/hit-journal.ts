import type { JournalPosition } from './journal-position.js';
import type { TrackingHit } from './store.js';

export { JOURNAL_START, type JournalPosition } from './journal-position.js';

/**
 * A node's local, durable log of tracking hits. A hit is answered once it is in the journal; an
 * ingester moves the journal into the store, recording how far it got in the same transaction.
 */

export interface JournalAppend {
  /** Hits written and fsynced. */
  written: number;
  /** Hits refused because the journal is at its size cap (they are not recorded). */
  dropped: number;
}

export interface JournalRead {
  /** The hits after the position given, in the order they were appended. */
  hits: TrackingHit[];
  /** Where the next read starts (equal to the position given when nothing was read). */
  end: JournalPosition;
  /** Records skipped because their checksum or framing is wrong (each is also reported). */
  corrupt: number;
}

export interface HitJournal {
  /** This journal's id (a UUID kept in its directory): the key of its position in the store. */
  readonly id: string;
  /** Appends the hits and fsyncs them (one write, one fdatasync for the lot) before resolving. */
  append(hits: readonly TrackingHit[]): Promise<JournalAppend>;
  /** Reads up to `max` hits after `from`. Never returns a torn or corrupt record. */
  read(from: JournalPosition, max: number): Promise<JournalRead>;
  /** Deletes the segments that lie wholly before `upTo` (their hits are in the store). */
  release(upTo: JournalPosition): Promise<void>;
  /** The position after the last record appended (and fsynced) so far. */
  end(): JournalPosition;
  /** Bytes the journal's segments hold on disk. */
  sizeBytes(): number;
  /** Hits dropped since start because the journal was full. */
  droppedHits(): number;
  close(): Promise<void>;
}
