/**
 * Text Waymark refuses to store, on either backend: PostgreSQL's text type cannot hold U+0000, and
 * a lone UTF-16 surrogate has no UTF-8 form (each driver would replace it differently). Both are
 * refused where they come in, so what is stored is always returned byte for byte.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why this string cannot be stored, or null when it can. */
export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'contains a NUL character (U+0000), which cannot be stored';
  if (LONE_SURROGATE.test(value)) return 'contains an unpaired UTF-16 surrogate, which is not valid Unicode';
  return null;
}

export interface TextFinding {
  /** Where, as `where.key.0.key` (an object key itself is named `where.key (the key)`). */
  path: string;
  problem: string;
}

/** The first string (or object key) in a JSON value that cannot be stored. */
export function findUnstorableText(value: unknown, where: string): TextFinding | null {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem === null ? null : { path: where, problem };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], `${where}.${i}`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem !== null) return { path: `${where} (a key)`, problem: keyProblem };
      const found = findUnstorableText(item, `${where}.${key}`);
      if (found) return found;
    }
  }
  return null;
}
