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

/**
 * The first string (or object key) in a JSON value that cannot be stored, in document order. The
 * walk keeps its own stack: a body nested deeper than the call stack allows is judged, not a crash.
 */
export function findUnstorableText(value: unknown, where: string): TextFinding | null {
  // Each entry is a value at a path, or an object key to check (named at its object's path).
  const stack: Array<{ value: unknown; path: string } | { key: string; path: string }> = [{ value, path: where }];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if ('key' in next) {
      const keyProblem = textProblem(next.key);
      if (keyProblem !== null) return { path: `${next.path} (a key)`, problem: keyProblem };
      continue;
    }
    const { value: node, path } = next;
    if (typeof node === 'string') {
      const problem = textProblem(node);
      if (problem !== null) return { path, problem };
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ value: node[i], path: `${path}.${i}` });
    } else if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i]!;
        stack.push({ value: item, path: `${path}.${key}` }, { key, path });
      }
    }
  }
  return null;
}
