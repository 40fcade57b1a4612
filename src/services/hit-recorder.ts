import type { EventRepository, TrackingHit } from '../ports/store.js';
import { GroupCommit } from './group-commit.js';

/** The group commit of tracking hits: each hit is answered once the batch holding it is durable. */
export class HitRecorder extends GroupCommit<TrackingHit> {
  constructor(events: EventRepository, maxBatch = 1000) {
    super((hits) => events.appendHits(hits), maxBatch);
  }
}
