import type { Kysely } from 'kysely';
import type { Store } from '../../ports/store.js';
import { analyticsRepository } from './analytics-repository.js';
import { apiKeyRepository } from './api-key-repository.js';
import { domainRepository } from './domain-repository.js';
import { emailRepository } from './email-repository.js';
import { eventRepository } from './event-repository.js';
import { exportRepository } from './export-repository.js';
import { projectRepository } from './project-repository.js';
import type { Database } from './schema.js';
import type { StoreDialect } from './store-dialect.js';
import { webhookRepository } from './webhook-repository.js';

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
