import { Command } from 'commander';
import { createLogger } from '../../bootstrap/logger.js';
import { createWaymark } from '../../bootstrap/waymark.js';
import { loadConfig } from '../../config/config.js';
import { resolveKeyring } from '../../config/secret.js';

export function startCommand(): Command {
  return new Command('start')
    .description('serve the API and the tracking routes, and run the background jobs')
    .option('--port <port>', 'port to listen on (env PORT, default 3000)')
    .option('--host <host>', 'address to bind (env WAYMARK_HOST, default 0.0.0.0)')
    .action(async (opts: { port?: string; host?: string }) => {
      const config = loadConfig(process.env, { port: opts.port, host: opts.host });
      const resolved = resolveKeyring(config, { create: true })!;
      const logger = createLogger(config.logLevel);
      if (resolved.source === 'generated') logger.warn({ dataDir: config.dataDir }, 'generated a signing secret in the data directory; back it up');
      const waymark = await createWaymark(config, { keyring: resolved.keyring, logger });
      const address = await waymark.listen();
      // On stderr, never in a log record: stdout carries only JSON log lines, which collectors keep.
      if (waymark.firstAdminKey) {
        logger.info('created the first admin key; it is printed on stderr, once');
        process.stderr.write(
          `\nAdmin API key (shown once, keep it safe):\n\n  ${waymark.firstAdminKey}\n\n` +
            `Try: curl -H "Authorization: Bearer ${waymark.firstAdminKey}" ${config.publicUrl}/v1/emails\n\n`,
        );
      }
      logger.info({ address, publicUrl: config.publicUrl, trackingUrl: config.trackingUrl, store: waymark.store.backend }, 'waymark started');
      if (config.webhookAllowPrivate) {
        logger.warn('WAYMARK_WEBHOOK_ALLOW_PRIVATE=1: webhooks may be sent to loopback and private addresses; never set it in production');
      }
      for (const warning of waymark.domains.targetWarnings) logger.warn({ code: warning.code }, warning.message);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'stopping');
        waymark.close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'error while stopping');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
