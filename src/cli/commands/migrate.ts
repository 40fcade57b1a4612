import { Command } from 'commander';
import { withStore } from './with-store.js';

export function migrateCommand(): Command {
  return new Command('migrate').description('apply the database migrations').action(async () => {
    await withStore(async (store) => {
      process.stderr.write(`migrations applied (${store.backend})\n`);
    });
  });
}
