import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('LinkPolicy destination cache', () => {
  it('does not keep the messages its cached hrefs were sliced from alive', () => {
    const script = fileURLToPath(new URL('./link-policy.memory.test-helpers.ts', import.meta.url));
    const heapUsed = Number(execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { encoding: 'utf8' }));
    // The 300 messages are 58 MB together; the 300 hrefs and their answers, a few tens of KB.
    expect(heapUsed).toBeGreaterThan(0);
    expect(heapUsed).toBeLessThan(20_000_000);
  });
});
