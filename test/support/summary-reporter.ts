import type { Reporter, RunnerTask, RunnerTestFile } from 'vitest';

/** Prints one plain closing line, "tests: N passed, N failed, N skipped", that any CI can read. */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    const counts = { pass: 0, fail: 0, skip: 0 };
    const visit = (task: RunnerTask) => {
      if (task.type === 'test') {
        const state = task.result?.state;
        if (state === 'pass') counts.pass++;
        else if (state === 'fail') counts.fail++;
        else counts.skip++;
      } else if ('tasks' in task) {
        for (const t of task.tasks) visit(t);
      }
    };
    for (const f of files) {
      visit(f);
      if (f.result?.state === 'fail' && f.tasks.length === 0) counts.fail++;
    }
    counts.fail += errors.length;
    process.stdout.write(`\ntests: ${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped\n`);
  }
}
