import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Real templates kept in the repository with their licences (read, not tuned to), and the benchmark newsletter. */
export const CORPUS = fileURLToPath(new URL('../fixtures/email-html/', import.meta.url));
export const NEWSLETTER = fileURLToPath(new URL('../../bench/fixtures/newsletter.html', import.meta.url));

function listHtml(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = `${dir}${dir.endsWith('/') ? '' : '/'}${name}`;
    return statSync(path).isDirectory() ? listHtml(path) : name.endsWith('.html') ? [path] : [];
  });
}

export const templates = listHtml(CORPUS);
export const files = [...templates, NEWSLETTER];
export const shortName = (path: string) => path.replace(CORPUS, '').replace(/^.*\/bench\//, 'bench/');
