/** Host names as WHATWG URL gives them: lowercase, punycode, no trailing dot. */
export function normalizeHost(host: string): string {
  let h = host.trim();
  const scheme = h.indexOf('://');
  if (scheme !== -1) h = h.slice(scheme + 3);
  const slash = h.search(/[/?#]/);
  if (slash !== -1) h = h.slice(0, slash);
  try {
    h = new URL(`http://${h}`).hostname;
  } catch {
    h = h.toLowerCase();
  }
  return stripTrailingDot(h);
}

export function stripTrailingDot(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/**
 * Matches hosts against a list: "example.com" matches that host only; "*.example.com" matches
 * example.com and every host under it.
 */
export class HostList {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const trimmed = entry.trim();
      if (trimmed.length === 0) continue;
      if (trimmed.startsWith('*.')) {
        const base = normalizeHost(trimmed.slice(2));
        if (base.length === 0) continue;
        this.exact.add(base);
        this.suffixes.push(`.${base}`);
      } else {
        const host = normalizeHost(trimmed);
        if (host.length > 0) this.exact.add(host);
      }
    }
  }

  get size(): number {
    return this.exact.size;
  }

  /** `hostname` as given by `URL#hostname`. */
  has(hostname: string): boolean {
    if (this.exact.size === 0) return false;
    const h = stripTrailingDot(hostname);
    if (this.exact.has(h)) return true;
    for (const s of this.suffixes) if (h.endsWith(s)) return true;
    return false;
  }
}
