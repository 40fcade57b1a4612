import { Command } from 'commander';
import { systemClock } from '../../ports/clock.js';
import { EXPORT_RESOURCES, ExportService } from '../../services/exports.js';
import { loadConfig } from '../../config/config.js';
import { withStore } from './with-store.js';

/**
 * `waymark export <resource> [--since …] [--until …] > file.csv`: streams the CSV to stdout, page
 * by page, with a running row count on stderr (no total is known up front, so it counts rather
 * than fills a bar).
 */
export function exportCommand(): Command {
  return new Command('export')
    .description(`stream a resource as CSV to stdout (${Object.keys(EXPORT_RESOURCES).join(', ')})`)
    .argument('<resource>', 'what to export')
    .option('--since <time>', 'rows created at or after this ISO 8601 time')
    .option('--until <time>', 'rows created before this ISO 8601 time')
    .option('--project <id>', 'project id (default: the default project)')
    .action(async (resource: string, opts: { since?: string; until?: string; project?: string }) => {
      const config = loadConfig(process.env);
      await withStore(async (store) => {
        const project = opts.project === undefined ? await store.projects.getDefault() : await store.projects.get(opts.project);
        if (project === undefined) throw new Error(opts.project === undefined ? 'no default project yet: start waymark once' : `no project with id ${opts.project}`);
        const filters: Record<string, string> = {};
        if (opts.since !== undefined) filters.since = opts.since;
        if (opts.until !== undefined) filters.until = opts.until;
        const tty = process.stderr.isTTY === true;
        const service = new ExportService(store, systemClock, config.dataDir);
        const rows = await service.stream(project.id, resource, filters, process.stdout, (n) => {
          if (tty) process.stderr.write(`\r${resource}: ${n} rows`);
        });
        process.stderr.write(`${tty ? '\r' : ''}${resource}: ${rows} rows exported\n`);
      });
    });
}
