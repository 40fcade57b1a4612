import type { Kysely, Selectable } from 'kysely';
import type { Store } from '../../ports/store.js';
import { analyticsRepository } from './analytics-repository.js';
import { apiKeyRepository } from './api-key-repository.js';
import { domainRepository } from './domain-repository.js';
import { emailRepository } from './email-repository.js';
import { eventRepository } from './event-repository.js';
import { exportRepository } from './export-repository.js';
import type { HitBatchWriter } from './hits/batch.js';
import { projectRepository } from './project-repository.js';
import type { Backend, Database, DbBool, EmailsTable } from './schema.js';
import { webhookRepository } from './webhook-repository.js';

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

export function createKyselyStore(db: Kysely<Database>, dialect: StoreDialect): Store {
  let closed = false;
  return {
    backend: dialect.backend,
    projects: projectRepository(db, dialect.bool),
    apiKeys: apiKeyRepository(db),
    emails: emailRepository(db, dialect),
    events: eventRepository(db, dialect),
    webhooks: webhookRepository(db, dialect.backend, dialect.bool),
    domains: domainRepository(db, dialect.backend, dialect.bool),
    analytics: analyticsRepository(db),
    exports: exportRepository(db),
    migrate: () => dialect.migrate(),
    async close() {
      if (closed) return;
      closed = true;
      await dialect.destroy();
    },
  };
}
