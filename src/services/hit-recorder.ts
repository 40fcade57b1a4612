import type { HitJournal } from '../ports/hit-journal.js';
import type { EventRepository, TrackingHit } from '../ports/store.js';
import { GroupCommit } from './group-commit.js';

/** The group commit of tracking hits: each hit is answered once the batch holding it is durable. */
export class HitRecorder extends GroupCommit<TrackingHit> {
  constructor(write: (hits: readonly TrackingHit[]) => Promise<void>, maxBatch = 1000) {
    super(write, maxBatch);
  }

  /** Straight into the store: each batch is one store transaction. */
  static direct(events: Pick<EventRepository, 'appendHits'>, maxBatch = 1000): HitRecorder {
    return new HitRecorder((hits) => events.appendHits(hits), maxBatch);
  }

  /**
   * Into the node's journal: each batch is one write and one fsync, then `onAppended` tells the
   * ingester. A batch the full journal refuses is still answered (a link never breaks); `onDropped`
   * reports it.
   */
  static journaled(
    journal: HitJournal,
    on: { onAppended: () => void; onDropped: (hits: number) => void },
    maxBatch = 1000,
  ): HitRecorder {
    return new HitRecorder(async (hits) => {
      const { dropped } = await journal.append(hits);
      if (dropped > 0) on.onDropped(dropped);
      on.onAppended();
    }, maxBatch);
  }
}
