import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WEB_ROOT } from '../../src/http/dashboard.js';

/** The JavaScript the first page load fetches: the entry script and every module it preloads. */
function initialScripts(): string[] {
  const html = readFileSync(path.join(WEB_ROOT, 'index.html'), 'utf8');
  const srcs = [...html.matchAll(/<script[^>]+src="([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  return srcs.map((src) => path.join(WEB_ROOT, src));
}

describe('the built dashboard', () => {
  it('loads at most 200 KB of JavaScript, gzipped, on the first page', () => {
    const scripts = initialScripts();
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce((n, file) => n + gzipSync(readFileSync(file), { level: 9 }).length, 0);
    expect(gzipped).toBeLessThanOrEqual(200 * 1024);
  });
});
