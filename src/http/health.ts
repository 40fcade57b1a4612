import type { FastifyInstance } from 'fastify';
import type { IngestStatus } from '../services/hit-ingester.js';

/** What the health and metrics routes read. */
export interface HealthSource {
  status(): IngestStatus;
}

/**
 * `/healthz`: 200 while the node answers tracking (it does while its store is down: hits go to the
 * journal), with `degraded` and the journal's state when the ingest fails. `/v1/metrics`: the same
 * in Prometheus' text format, for a key of the project (traffic figures are not for the public).
 */
export function healthRoutes(app: FastifyInstance, ingest: HealthSource): void {
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => {
    const s = ingest.status();
    return {
      status: s.failingSince === null ? 'ok' : 'degraded',
      journal: {
        bytes: s.journalBytes,
        dropped_hits: s.droppedHits,
        ingest_lag_ms: s.lagMs,
        ingest_failing_since: s.failingSince === null ? null : new Date(s.failingSince).toISOString(),
        ingest_error: s.lastError,
      },
    };
  });
  app.get('/v1/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const s = ingest.status();
    const lines = [
      metric('waymark_journal_bytes', 'gauge', 'Bytes in this node\'s hit journal.', s.journalBytes),
      metric('waymark_journal_dropped_hits_total', 'counter', 'Hits answered but not recorded because the journal was full.', s.droppedHits),
      metric('waymark_ingested_hits_total', 'counter', 'Hits moved from the journal into the store.', s.ingestedHits),
      metric('waymark_journal_corrupt_records_total', 'counter', 'Journal records skipped for a bad checksum or framing.', s.corruptRecords),
      metric('waymark_ingest_lag_seconds', 'gauge', 'Age of the oldest hit not yet in the store.', s.lagMs / 1000),
      metric('waymark_ingest_failing', 'gauge', '1 while the store refuses the ingest.', s.failingSince === null ? 0 : 1),
    ];
    return reply.type('text/plain; version=0.0.4; charset=utf-8').header('cache-control', 'no-store').send(lines.join(''));
  });
}

function metric(name: string, type: 'gauge' | 'counter', help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
}
