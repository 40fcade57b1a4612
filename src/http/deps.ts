import type { AnalyticsService } from '../services/analytics.js';
import type { ApiKeyService } from '../services/api-keys.js';
import type { DomainService } from '../services/domains.js';
import type { EmailService } from '../services/emails.js';
import type { ExportService } from '../services/exports.js';
import type { HitIngester } from '../services/hit-ingester.js';
import type { TrackingHostDirectory } from '../services/tracking-hosts.js';
import type { TrackingService } from '../services/tracking.js';
import type { WebhookService } from '../services/webhooks.js';

/** What the HTTP edge needs from the service layer. */
export interface HttpDeps {
  emails: EmailService;
  apiKeys: ApiKeyService;
  tracking: TrackingService;
  webhooks: WebhookService;
  analytics: AnalyticsService;
  exports: ExportService;
  domains: DomainService;
  trackingHosts: TrackingHostDirectory;
  /** The journal's ingest: reads wait for it, health reports it. */
  ingest: Pick<HitIngester, 'settled' | 'status'>;
}
