/**
 * Test helper run as a child process (see file-journal.test.ts): opens the journal in argv[2]
 * (segments of argv[3] bytes) and appends batches of sample hits until killed, printing each
 * batch's last hit id once its append has resolved.
 */
import { openFileJournal } from './file-journal.js';
import { sampleHits } from './sample-hits.test-helpers.js';

const [dir, segmentBytes] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: append-child <dir> [segmentBytes]');
const journal = await openFileJournal(dir, { maxBytes: 0, segmentBytes: Number(segmentBytes ?? 65536) });
let next = 0;
for (;;) {
  const batch = sampleHits(next, 1 + (next % 37));
  await journal.append(batch);
  next += batch.length;
  process.stdout.write(`${batch.at(-1)!.id}\n`);
}
