import path from 'node:path';
import { Command } from 'commander';
import { openFileJournal } from '../../adapters/journal/file-journal.js';
import { HitIngester } from '../../services/hit-ingester.js';
import { withStore } from './with-store.js';

/** `waymark journal drain <dir>`: moves a node's journal into the store, e.g. of a node gone for good. */
export function journalCommand(): Command {
  const journal = new Command('journal').description("a node's hit journal");
  journal
    .command('drain')
    .description('ingest every hit of the journal in <dir> into the configured store, then delete its segments')
    .argument('<dir>', "the journal's directory (WAYMARK_JOURNAL_DIR of the node that wrote it)")
    .action(async (dir: string) => {
      await withStore(async (store) => {
        let corrupt = 0;
        // The lock refuses a journal whose node is still running: it drains its own.
        const opened = await openFileJournal(path.resolve(dir), {
          maxBytes: Number.MAX_SAFE_INTEGER,
          onCorrupt: (report) => {
            corrupt += 1;
            process.stderr.write(`corrupt record skipped: ${JSON.stringify(report)}\n`);
          },
        });
        try {
          const quiet = { info: () => {}, warn: () => {}, error: () => {} };
          const moved = await new HitIngester(opened, store.events, quiet).drain();
          process.stderr.write(`journal ${opened.id}: ${moved} hits ingested${corrupt > 0 ? `, ${corrupt} corrupt records skipped` : ''}\n`);
        } finally {
          await opened.close();
        }
      });
    });
  return journal;
}
