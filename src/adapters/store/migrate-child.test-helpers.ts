/**
 * Test helper run as a child process (see sqlite-store.test.ts): opens the store named by argv[2],
 * prints "ready", waits for a line on stdin, migrates, prints "done" and exits.
 */
import { createInterface } from 'node:readline';
import { openStore } from './open-store.js';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: migrate-child <database url>');
const store = await openStore(url);
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => lines.once('line', () => resolve()));
lines.close();
try {
  await store.migrate();
  process.stdout.write('done\n');
} finally {
  await store.close();
}
