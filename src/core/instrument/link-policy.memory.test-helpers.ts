/**
 * Run by link-policy.memory.test.ts as `node --expose-gc`: caches one href sliced from each of 300
 * distinct 200 KB messages, collects garbage and prints the heap in use (bytes).
 */
import { LinkPolicy } from './link-policy.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const policy = new LinkPolicy('links.example.com', [], []);
for (let i = 0; i < 300; i++) {
  const message = `${'<p>filler</p>'.repeat(15_000)}<a href="https://example.com/offer/${i}?utm_source=newsletter&amp;id=${i}">x</a>`;
  const start = message.indexOf('https://');
  policy.destinationOf(message.slice(start, message.indexOf('"', start)), true);
}
gc();
gc();
process.stdout.write(String(process.memoryUsage().heapUsed));
