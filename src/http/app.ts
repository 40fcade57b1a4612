import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, LogController } from 'fastify';

import type { Clock } from '../ports/clock.js';
import { installAuth } from './auth.js';
import { installDashboard } from './dashboard.js';
import { bodiesAsSent } from './validator-compiler.js';
import { createSessionRoute } from './routes/v1/session/create-session.js';
import { deleteSessionRoute } from './routes/v1/session/delete-session.js';
import { getSessionRoute } from './routes/v1/session/get-session.js';
import type { SessionCodec } from './session.js';
import type { HttpDeps } from './deps.js';
import { documentCommonAnswers } from './common-answers.js';
import { installErrorHandlers, tooLargeMessage } from './error-handler.js';
import { installJsonBodyParser } from './json-body.js';
import { installTextRule } from './text-input.js';
import { analyticsRoutes } from './routes/v1/analytics/index.js';
import { exportRoutes } from './routes/v1/exports/index.js';
import { domainRoutes } from './routes/v1/domains/index.js';
import { tlsAskRoute } from './routes/v1/tls/tls-ask.js';
import { createApiKeyRoute } from './routes/v1/api-keys/create-api-key.js';
import { listApiKeysRoute } from './routes/v1/api-keys/list-api-keys.js';
import { deleteApiKeyRoute } from './routes/v1/api-keys/delete-api-key.js';
import { createEmailRoute } from './routes/v1/emails/create-email.js';
import { getEmailRawRoute } from './routes/v1/emails/get-email-raw.js';
import { getEmailPreviewRoute } from './routes/v1/emails/get-email-preview.js';
import { getEmailRoute } from './routes/v1/emails/get-email.js';
import { listEmailEventsRoute } from './routes/v1/emails/list-email-events.js';
import { listEmailsRoute } from './routes/v1/emails/list-emails.js';
import { listEventsRoute } from './routes/v1/events/list-events.js';
import { trackingRoutes } from './routes/v1/track/tracking-routes.js';
import { createWebhookRoute } from './routes/v1/webhooks/create-webhook.js';
import { listWebhooksRoute } from './routes/v1/webhooks/list-webhooks.js';
import { getWebhookRoute } from './routes/v1/webhooks/get-webhook.js';
import { updateWebhookRoute } from './routes/v1/webhooks/update-webhook.js';
import { deleteWebhookRoute } from './routes/v1/webhooks/delete-webhook.js';
import { rotateWebhookSecretRoute } from './routes/v1/webhooks/rotate-webhook-secret.js';
import { testWebhookRoute } from './routes/v1/webhooks/test-webhook.js';
import { listWebhookDeliveriesRoute } from './routes/v1/webhooks/list-webhook-deliveries.js';
import { retryWebhookDeliveryRoute } from './routes/v1/webhooks/retry-webhook-delivery.js';
import { replayWebhookRoute } from './routes/v1/webhooks/replay-webhook.js';
import { apiKeySchema } from './schemas/api-key.js';
import { errorSchema } from './schemas/common.js';
import { ERRORS } from '../core/errors.js';
import { errorBody } from './errors.js';
import { domainSchema } from './schemas/domain.js';
import { emailSchema } from './schemas/email.js';
import { eventSchema } from './schemas/event.js';
import { webhookDeliverySchema, webhookEndpointSchema } from './schemas/webhook.js';
import { createTrackingHandler } from './tracking-handler.js';
import { healthRoutes } from './health.js';

export interface AppOptions {
  logger: FastifyBaseLogger;
  publicUrl: string;
  trustedProxies: string[];
  bodyLimitBytes: number;
  /** Serve the tracking routes before Fastify's router (default true; the benchmark compares both). */
  trackingFastPath?: boolean;
  /** Signs and reads dashboard session cookies. */
  sessions: SessionCodec;
  clock: Clock;
}

/** The longest an API request waits for this node's answered hits to reach the store. */
const SETTLE_MS = 1_000;

export async function buildApp(deps: HttpDeps, options: AppOptions): Promise<FastifyInstance> {
  const tracking = createTrackingHandler(deps.tracking, options.trustedProxies);
  const fastPath = options.trackingFastPath ?? true;
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustedProxies.length > 0 ? options.trustedProxies : false,
    logController: new LogController({ disableRequestLogging: true }),
    // A click token carries its destination, so one path segment can be as long as a URL
    // (find-my-way's default of 100 characters would answer 414). Node caps the request line itself.
    routerOptions: { maxParamLength: 65_536 },
    // A path that does not decode (`%FF`, `%ED%A0%80`): the tracking routes still answer as they
    // always do, anything else gets the API's error shape instead of Fastify's own.
    frameworkErrors: (err, request, reply) => {
      if (err.code === 'FST_ERR_BAD_URL') {
        reply.hijack();
        if (tracking.handle(request.raw, reply.raw)) return;
        const body = JSON.stringify(errorBody('bad_request', 'the path is not valid percent-encoded UTF-8'));
        reply.raw.writeHead(ERRORS.bad_request.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' }).end(body);
        return;
      }
      void (reply as unknown as FastifyReply)
        .code(err.statusCode ?? 400)
        .header('cache-control', 'no-store')
        .send(errorBody('bad_request', err.message));
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    schemaController: { compilersFactory: { buildValidator: bodiesAsSent } },
    serverFactory: (handler) => {
      const onRequest = (req: IncomingMessage, res: ServerResponse) => {
        if (fastPath && tracking.handle(req, res)) return;
        handler(req, res);
      };
      const server = createServer(onRequest);
      server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
        if (refuseOversized(req, res, options.bodyLimitBytes)) return;
        res.writeContinue();
        onRequest(req, res);
      });
      return server;
    },
  });

  await app.register(swagger, {
    // Components are named by their $id (Email, Domain…), which clients and the dashboard's types use.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Waymark API', version: '1', description: 'Open and click tracking for email, on your own tracking domain.' },
      servers: [{ url: options.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  for (const schema of [errorSchema, emailSchema, eventSchema, apiKeySchema, webhookEndpointSchema, webhookDeliverySchema, domainSchema]) app.addSchema(schema);
  // JSON only: without this Fastify parses text/plain into a string, which then fails validation as 422.
  app.removeContentTypeParser('text/plain');
  installJsonBodyParser(app);
  installErrorHandlers(app, options.bodyLimitBytes);
  await app.register(cookie);
  installAuth(app, deps.apiKeys, { codec: options.sessions, publicUrl: options.publicUrl, clock: options.clock });
  installTextRule(app);
  // A read on this node sees the hits this node answered: wait (briefly) for their ingest.
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/v1/') && !request.url.startsWith('/v1/track/') && request.url !== '/v1/metrics') await deps.ingest.settled(SETTLE_MS);
  });
  app.addHook('onRoute', documentCommonAnswers);

  await installDashboard(app);
  createSessionRoute(app, deps, { codec: options.sessions, publicUrl: options.publicUrl, now: () => options.clock.now() });
  getSessionRoute(app);
  deleteSessionRoute(app);
  healthRoutes(app, deps.ingest);
  app.get('/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  createEmailRoute(app, deps);
  getEmailRoute(app, deps);
  getEmailRawRoute(app, deps);
  getEmailPreviewRoute(app, deps);
  listEmailsRoute(app, deps);
  listEmailEventsRoute(app, deps);
  listEventsRoute(app, deps);
  createApiKeyRoute(app, deps);
  listApiKeysRoute(app, deps);
  deleteApiKeyRoute(app, deps);
  createWebhookRoute(app, deps);
  listWebhooksRoute(app, deps);
  getWebhookRoute(app, deps);
  updateWebhookRoute(app, deps);
  deleteWebhookRoute(app, deps);
  rotateWebhookSecretRoute(app, deps);
  testWebhookRoute(app, deps);
  listWebhookDeliveriesRoute(app, deps);
  retryWebhookDeliveryRoute(app, deps);
  replayWebhookRoute(app, deps);
  analyticsRoutes(app, deps);
  exportRoutes(app, deps);
  domainRoutes(app, deps);
  tlsAskRoute(app, deps);
  trackingRoutes(app, tracking);
  return app;
}

/**
 * `Expect: 100-continue` with a declared length over the limit: answered with the usual 413 before
 * the client sends the body (Node would otherwise say 100 Continue and then cut the upload short).
 */
function refuseOversized(req: IncomingMessage, res: ServerResponse, limit: number): boolean {
  const declared = Number(req.headers['content-length']);
  if (!(declared > limit)) return false;
  const body = JSON.stringify(errorBody('payload_too_large', tooLargeMessage(limit)));
  res.writeHead(ERRORS.payload_too_large.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', connection: 'close' });
  res.end(body);
  return true;
}
