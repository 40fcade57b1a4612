import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testImports } from '../../scripts/check-dist.js';
import { REPO_ROOT } from '../support/child-server.js';

describe('what ships in dist/', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'waymark-dist-'));
    dirs.push(d);
    return d;
  };

  it('holds no test code: the build, as npm run build makes it, imports no test library or test file', () => {
    const out = tempDir();
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
    expect(testImports(path.join(out, 'adapters'))).toEqual([]);
    expect(testImports(out)).toEqual([]);
  }, 120_000);

  it('finds test code where there is some', () => {
    const out = tempDir();
    mkdirSync(path.join(out, 'store'));
    writeFileSync(path.join(out, 'store/a.js'), "import { it } from 'vitest';\n");
    writeFileSync(path.join(out, 'store/b.js'), "export * from './store.contract.js';\n");
    writeFileSync(path.join(out, 'store/c.js'), "const fc = await import('fast-check');\n");
    writeFileSync(path.join(out, 'store/d.test-helpers.js'), 'export const x = 1;\n');
    writeFileSync(path.join(out, 'store/e.js'), "import { x } from '../lib/ids.js';\nimport pg from 'pg';\n");
    expect(testImports(out).sort()).toEqual([
      "store/a.js -> vitest",
      "store/b.js -> ./store.contract.js",
      "store/c.js -> fast-check",
      'store/d.test-helpers.js (a test file)',
    ]);
  });
});
