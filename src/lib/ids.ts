import { uuidv7 } from 'uuidv7';

/** Time-ordered ids: they keep B-tree inserts append-only and make cursor pagination follow time. */
export function newId(): string {
  return uuidv7();
}
