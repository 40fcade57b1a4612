import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { nodemailerComposer, SmtpMailer } from '../adapters/mail/nodemailer.js';
import { openFileJournal } from '../adapters/journal/file-journal.js';
import { type MachineIpLists, openMachineIpLists } from '../adapters/ip-lists/machine-ip-lists.js';
import { openStore } from '../adapters/store/index.js';
import { HttpWebhookSender } from '../adapters/webhooks/http-sender.js';
import { NodeDnsResolver } from '../adapters/dns/node-dns-resolver.js';
import { DEFAULT_TIMING } from '../core/domains/status.js';
import type { DnsResolver } from '../ports/dns.js';
import { BackgroundJob } from '../services/background-job.js';
import { DomainService } from '../services/domains.js';
import { TrackingHostDirectory } from '../services/tracking-hosts.js';
import type { Config } from '../config/config.js';
import type { Keyring } from '../core/tokens/index.js';
import { buildApp } from '../http/app.js';
import { SessionCodec } from '../http/session.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { Mailer } from '../ports/mailer.js';
import type { Store } from '../ports/store.js';
import { AnalyticsService } from '../services/analytics.js';
import { ApiKeyService } from '../services/api-keys.js';
import { DeliveryWorker } from '../services/delivery.js';
import { EmailService } from '../services/emails.js';
import { DAY_MS, EventRetention } from '../services/event-retention.js';
import { ExportService } from '../services/exports.js';
import { HitIngester } from '../services/hit-ingester.js';
import { HitRecorder } from '../services/hit-recorder.js';
import { ensureDefaultProject } from '../services/projects.js';
import { TrackingService } from '../services/tracking.js';
import { WebhookWorker } from '../services/webhook-worker.js';
import { WebhookService } from '../services/webhooks.js';

export interface WaymarkOptions {
  keyring: Keyring;
  logger: Logger;
  clock?: Clock;
  trackingFastPath?: boolean;
  /** How often the domain checker looks for due domains (default 30 s). */
  domainCheckPollMs?: number;
  /** Replaces the node:dns resolver (WAYMARK_DNS_SERVERS otherwise). */
  dns?: DnsResolver;
  /** How often the event retention job purges (default hourly). */
  eventRetentionPollMs?: number;
}

/** A running Waymark: the store, the services, the HTTP app and the background jobs, wired once. */
export interface Waymark {
  app: FastifyInstance;
  store: Store;
  apiKeys: ApiKeyService;
  recorder: HitRecorder;
  /** Moves this node's journal of hits into the store. */
  ingester: HitIngester;
  delivery: DeliveryWorker | null;
  webhookWorker: WebhookWorker;
  domains: DomainService;
  /** The background job that re-checks domains' DNS when they are due. */
  domainChecks: BackgroundJob;
  /** WAYMARK_EVENT_RETENTION_DAYS: the purge of old raw events, or null when events are kept forever. */
  eventRetention: EventRetention | null;
  /** The background job that runs the purge (hourly), or null. */
  eventRetentionJob: BackgroundJob | null;
  /** The admin key created on first start, if this start created one. */
  firstAdminKey: string | null;
  defaultProjectId: string;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function createWaymark(config: Config, options: WaymarkOptions): Promise<Waymark> {
  const clock = options.clock ?? systemClock;
  const log = options.logger;
  const store = await openStore(config.databaseUrl);
  let journal: Awaited<ReturnType<typeof openFileJournal>> | null = null;
  let machineIps: MachineIpLists | null = null;
  try {
    await store.migrate();
    const project = await ensureDefaultProject(store, clock);
    const apiKeys = new ApiKeyService(store, clock);
    const firstAdminKey = (await store.apiKeys.count()) === 0 ? (await apiKeys.issue(project.id, 'admin', 'admin')).secret : null;

    const mailer: Mailer | null = config.smtpUrl ? new SmtpMailer(config.smtpUrl) : null;
    journal = await openFileJournal(config.journalDir, {
      maxBytes: config.journalMaxBytes,
      onCorrupt: (report) => log.error(report, 'the hit journal holds a corrupt record: skipped'),
    });
    const ingester = new HitIngester(journal, store.events, log.child({ job: 'ingest' }), () => clock.now());
    // What a crash left in the journal goes into the store before this node answers anything.
    const backlog = await ingester.drain();
    if (backlog > 0) log.info({ hits: backlog }, 'ingested the hits the journal held from before this start');
    let droppedLoggedAt = 0;
    const recorder = HitRecorder.journaled(journal, {
      onAppended: () => ingester.notify(),
      onDropped: (hits) => {
        // Loud, but not once per batch: at most every 10 s, with the running total.
        if (Date.now() - droppedLoggedAt < 10_000) return;
        droppedLoggedAt = Date.now();
        log.error({ hits, droppedTotal: journal?.droppedHits(), maxBytes: config.journalMaxBytes }, 'the hit journal is full (WAYMARK_JOURNAL_MAX_BYTES): hits are answered but NOT recorded');
      },
    });
    const trackingHosts = new TrackingHostDirectory(store.domains, [new URL(config.trackingUrl).hostname, new URL(config.publicUrl).hostname]);
    await trackingHosts.refresh();
    const webhookSender = new HttpWebhookSender({ allowPrivate: config.webhookAllowPrivate });
    const webhookWorker = new WebhookWorker(store, webhookSender, clock, log.child({ job: 'webhooks' }), {
      keyring: options.keyring,
      disableAfterMs: config.webhookDisableAfterMs,
    });
    let domainChecks: BackgroundJob | null = null;
    const domains = new DomainService({
      domains: store.domains,
      dns: options.dns ?? new NodeDnsResolver({ servers: config.dnsServers }),
      clock,
      keyring: options.keyring,
      targets: { trackingCnameTarget: config.trackingCnameTarget, spfInclude: config.spfInclude, mxHost: config.mxHost, caDomain: config.acmeCa },
      timing: { ...DEFAULT_TIMING, recheckVerifiedMs: config.dnsRecheckMs },
      hosts: trackingHosts,
      onWebhookQueued: () => webhookWorker.nudge(),
      onCheckDue: () => domainChecks?.nudge(),
    });
    const delivery = mailer
      ? new DeliveryWorker(store, mailer, clock, log.child({ job: 'delivery' }), { identity: (email) => domains.sendingIdentity(email) })
      : null;
    domainChecks = new BackgroundJob('domain checks', () => domains.checkDue(), log.child({ job: 'domains' }), options.domainCheckPollMs ?? 30_000);
    const emails = new EmailService({
      store,
      keyring: options.keyring,
      clock,
      composer: nodemailerComposer,
      trackingUrl: config.trackingUrl,
      excludedHosts: config.excludedHosts,
      relayConfigured: mailer !== null,
      onQueued: () => delivery?.nudge(),
      domains,
    });
    machineIps = config.machineIpLists.length === 0 ? null : await openMachineIpLists(config.machineIpLists, { logger: log.child({ job: 'ip-lists' }) });
    if (machineIps !== null) log.info({ ranges: machineIps.size() }, 'machine IP lists loaded');
    const tracking = new TrackingService(options.keyring, recorder, clock, log, trackingHosts, config.ipMode, machineIps);
    const webhooks = new WebhookService(store, webhookSender, clock, options.keyring, () => webhookWorker.nudge());
    const sealed = await webhooks.sealStoredSecrets();
    if (sealed > 0) log.info({ endpoints: sealed }, 'sealed webhook signing secrets stored in the clear');
    const analytics = new AnalyticsService(store);
    const exports = new ExportService(store, clock, config.dataDir, (err) => log.error({ err }, 'export failed'));
    const eventRetention =
      config.eventRetentionDays === null ? null : new EventRetention(store, clock, { retentionMs: config.eventRetentionDays * DAY_MS });
    const retentionLog = log.child({ job: 'event-retention' });
    const eventRetentionJob =
      eventRetention === null
        ? null
        : new BackgroundJob(
            'event retention',
            async () => {
              const purged = await eventRetention.purge();
              if (purged > 0) retentionLog.info({ purged, retentionDays: config.eventRetentionDays }, 'purged raw events past the retention');
            },
            retentionLog,
            options.eventRetentionPollMs ?? 3_600_000,
          );
    const app = await buildApp(
      { emails, apiKeys, tracking, webhooks, analytics, exports, domains, trackingHosts, ingest: ingester },
      {
        logger: log,
        publicUrl: config.publicUrl,
        trustedProxies: config.trustedProxies,
        bodyLimitBytes: config.bodyLimitBytes,
        trackingFastPath: options.trackingFastPath ?? config.trackingFastPath,
        sessions: new SessionCodec(options.keyring),
        clock,
      },
    );

    return {
      app,
      store,
      apiKeys,
      recorder,
      ingester,
      delivery,
      webhookWorker,
      domains,
      domainChecks,
      eventRetention,
      eventRetentionJob,
      firstAdminKey,
      defaultProjectId: project.id,
      async listen() {
        const address = await app.listen({ port: config.port, host: config.host });
        ingester.start();
        delivery?.start();
        webhookWorker.start();
        domainChecks.start();
        eventRetentionJob?.start();
        return address;
      },
      async close() {
        await app.close();
        await delivery?.stop();
        await webhookWorker.stop();
        await domainChecks.stop();
        eventRetention?.stop();
        await eventRetentionJob?.stop();
        mailer?.close();
        await recorder.flush();
        await ingester.stop();
        // What is still in the journal stays there for the next start if the store fails now.
        await ingester.drain().catch((err: unknown) => log.warn({ err }, 'hits left in the journal for the next start'));
        await journal?.close();
        machineIps?.stop();
        await store.close();
      },
    };
  } catch (err) {
    await journal?.close();
    machineIps?.stop();
    await store.close();
    throw err;
  }
}
