import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/child-server.js';

const SRC = path.join(REPO_ROOT, 'src');

/** Which layers each layer may import; imports point inward only. */
const ALLOWED: Record<string, string[]> = {
  core: ['core'],
  lib: ['lib'],
  ports: ['ports', 'core'],
  services: ['services', 'ports', 'core', 'lib'],
  adapters: ['adapters', 'ports', 'core', 'lib'],
  config: ['config', 'core'],
  http: ['http', 'services', 'ports', 'core', 'lib'],
  bootstrap: ['bootstrap', 'http', 'services', 'adapters', 'ports', 'core', 'lib', 'config'],
  cli: ['cli', 'bootstrap', 'services', 'adapters', 'ports', 'core', 'lib', 'config'],
};
/** The pure core does no I/O: these modules may not appear in it. */
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|dns|child_process|dgram|tls|worker_threads)$|^(pg|better-sqlite3|kysely|fastify|nodemailer|pino)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

const files = sourceFiles(SRC);
const layerOf = (file: string) => path.relative(SRC, file).split(path.sep)[0]!;

describe('architecture', () => {
  it('imports point inward only', () => {
    expect(files.length).toBeGreaterThan(20);
    const violations: string[] = [];
    for (const file of files) {
      const layer = layerOf(file);
      for (const spec of imports(file)) {
        if (!spec.startsWith('.')) continue;
        const target = layerOf(path.resolve(path.dirname(file), spec));
        if (!(ALLOWED[layer] ?? []).includes(target)) violations.push(`${path.relative(SRC, file)} -> ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps I/O out of the core', () => {
    const violations = files
      .filter((f) => layerOf(f) === 'core')
      .flatMap((f) => imports(f).filter((s) => IO_MODULES.test(s)).map((s) => `${path.relative(SRC, f)} -> ${s}`));
    expect(violations).toEqual([]);
  });

  it('has no circular imports', () => {
    const graph = new Map<string, string[]>();
    for (const file of files) {
      graph.set(
        file,
        imports(file)
          .filter((s) => s.startsWith('.'))
          .map((s) => path.resolve(path.dirname(file), s).replace(/\.js$/, '.ts')),
      );
    }
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push(stack.slice(stack.indexOf(file)).concat(file).map((f) => path.relative(SRC, f)).join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      stack.push(file);
      for (const next of graph.get(file) ?? []) visit(next);
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file);
    expect(cycles).toEqual([]);
  });
});
