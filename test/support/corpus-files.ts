import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The real templates in shared/corpus/email-html beside the checkout (read, not tuned to), and the benchmark newsletter. */
export const CORPUS = fileURLToPath(new URL('../../../shared/corpus/email-html/', import.meta.url));
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
