// Fails the build when anything compiled into dist/ imports test code: a test library, or a
// test, test-helper or contract file. Run by `npm run build` after tsc; a test runs it too.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const TEST_LIBRARIES = /^(vitest|@vitest\/.*|fast-check|playwright-core|playwright|@playwright\/.*)$/;
const TEST_FILES = /(\.test|\.test-helpers|\.contract)(\.[cm]?js)?$|(^|\/)test\//;
const SPECIFIERS = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return jsFiles(full);
    return /\.[cm]?js$/.test(e.name) ? [full] : [];
  });
}

/** Every `file -> specifier` under `dir` that reaches test code. */
export function testImports(dir: string): string[] {
  const found: string[] = [];
  for (const file of jsFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const where = path.relative(dir, file);
    if (TEST_FILES.test(where)) found.push(`${where} (a test file)`);
    for (const [, spec] of text.matchAll(SPECIFIERS)) {
      if (TEST_LIBRARIES.test(spec!) || TEST_FILES.test(spec!)) found.push(`${where} -> ${spec}`);
    }
  }
  return found;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? 'dist';
  const found = testImports(dir);
  if (found.length > 0) {
    process.stderr.write(`${dir}/ holds test code:\n${found.map((f) => `  ${f}`).join('\n')}\n`);
    process.exit(1);
  }
}
