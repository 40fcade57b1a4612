#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config.js';
import { eventsCommand } from './commands/events.js';
import { exportCommand } from './commands/export.js';
import { instrumentCommand } from './commands/instrument.js';
import { ipListsCommand } from './commands/ip-lists.js';
import { journalCommand } from './commands/journal.js';
import { keysCommand } from './commands/keys.js';
import { migrateCommand } from './commands/migrate.js';
import { projectsCommand } from './commands/projects.js';
import { startCommand } from './commands/start.js';

const program = new Command('waymark')
  .description('Self-hosted open and click tracking for email, on your own tracking domain.')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError()
  .exitOverride();
program.addCommand(startCommand());
program.addCommand(migrateCommand());
program.addCommand(keysCommand());
program.addCommand(projectsCommand());
program.addCommand(instrumentCommand());
program.addCommand(exportCommand());
program.addCommand(eventsCommand());
program.addCommand(journalCommand());
program.addCommand(ipListsCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof ConfigError) {
    process.stderr.write(`waymark: configuration error: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`waymark: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

/** The version in package.json (two folders up from src/cli and from dist/cli alike). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
