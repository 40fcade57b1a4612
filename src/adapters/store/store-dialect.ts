import type { Selectable } from 'kysely';
import type { HitBatchWriter } from './hits/batch.js';
import type { Backend, DbBool, EmailsTable } from './schema.js';

/**
 * What differs per backend: each backend file (sqlite-store.ts, postgres-store.ts) owns these
 * operations end to end. The repositories are shared Kysely code, one file each.
 */
export interface StoreDialect {
  readonly backend: Backend;
  /** How a boolean is written: `true`/`false` on PostgreSQL, 1/0 on SQLite. */
  bool(value: boolean): DbBool;
  /** The group commit of tracking hits (hits/batch.ts says what it writes). */
  writeHits: HitBatchWriter;
  /** Claims due queued emails (see EmailRepository.claimDue), returned oldest due first. */
  claimDue(now: number, leaseUntil: number, limit: number): Promise<Selectable<EmailsTable>[]>;
  migrate(): Promise<void>;
  /** Releases the connection(s). Called once. */
  destroy(): Promise<void>;
}
