import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackgroundJob } from './background-job.js';

describe('BackgroundJob', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs the first failed pass, then once a minute while passes keep failing, and the recovery', async () => {
    vi.useFakeTimers();
    const errors: Array<{ obj: Record<string, unknown>; msg: string }> = [];
    const infos: string[] = [];
    let failing = true;
    let passes = 0;
    const job = new BackgroundJob(
      'deliveries',
      async () => {
        passes += 1;
        if (failing) throw new Error('connect ECONNREFUSED');
      },
      { error: (obj, msg) => errors.push({ obj: obj as Record<string, unknown>, msg }), info: (_obj, msg) => infos.push(msg) },
      500,
    );
    job.start();
    // Two and a half minutes of failing passes, one every 500 ms.
    await vi.advanceTimersByTimeAsync(150_000);
    expect(passes).toBeGreaterThan(250);
    expect(errors.map((e) => e.msg)).toEqual(['deliveries pass failed', 'deliveries passes still failing', 'deliveries passes still failing']);
    expect(errors[1]!.obj).toMatchObject({ failingForMs: expect.any(Number), failures: expect.any(Number) });
    expect(errors[2]!.obj.failures as number).toBeGreaterThan(errors[1]!.obj.failures as number);

    failing = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(infos).toEqual(['deliveries passes succeed again']);
    // Failing again is news again.
    failing = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(errors.at(-1)!.msg).toBe('deliveries pass failed');
    await job.stop();
  });
});
