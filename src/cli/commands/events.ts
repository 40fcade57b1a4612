import { Command, InvalidArgumentError } from 'commander';
import { CLASSIFIER_VERSION } from '../../core/classification/labels.js';
import { withStore } from './with-store.js';

const PAGE = 500;

export function eventsCommand(): Command {
  const events = new Command('events').description('stored opens and clicks');
  events
    .command('reclassify')
    .description(
      `apply the current classification rules (version ${CLASSIFIER_VERSION}) to every stored open and click, ` +
        'moving the counts of the emails and the analytics where a hit changes sides (person or machine)',
    )
    .option('--batch <emails>', 'emails per transaction', (v) => positiveInt(v), PAGE)
    .action(async (opts: { batch: number }) => {
      const totals = await withStore(async (store) => {
        const sum = { emails: 0, hits: 0, changed: 0 };
        for (let after: string | null = null; ; ) {
          const page = await store.events.reclassify(after, opts.batch);
          if (page.last === null) return sum;
          sum.emails += page.emails;
          sum.hits += page.hits;
          sum.changed += page.changed;
          after = page.last;
        }
      });
      process.stdout.write(`${totals.emails} emails, ${totals.hits} opens and clicks, ${totals.changed} relabelled\n`);
    });
  return events;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > 100_000) throw new InvalidArgumentError('a whole number from 1 to 100000');
  return n;
}
