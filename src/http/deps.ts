import type { AnalyticsService } from '../services/analytics.js';
import type { ApiKeyService } from '../services/api-keys.js';
import type { EmailService } from '../services/emails.js';
import type { ExportService } from '../services/exports.js';
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
}
