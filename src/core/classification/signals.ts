import type { HitSignals } from '../model.js';

/** The same few combinations recur on almost every hit: their text is kept (a bounded memo). */
const encoded = new Map<string, string>();
const MAX_ENCODED = 1_024;

/** The stored form of a hit's signals: JSON with short, stable keys. */
export function encodeSignals(s: HitSignals): string {
  // Rule ids hold no control characters; the list label, free text, comes last.
  const key = `${s.version}\u0001${s.method}\u0001${s.rules.join('\u0000')}\u0001${s.ipList === null ? '' : `\u0002${s.ipList}`}`;
  let text = encoded.get(key);
  if (text === undefined) {
    text = JSON.stringify({ v: s.version, rules: s.rules, method: s.method, ip_list: s.ipList });
    if (encoded.size >= MAX_ENCODED) encoded.clear();
    encoded.set(key, text);
  }
  return text;
}

/** Null for hits stored before classification, or for text this module did not write. */
export function decodeSignals(text: string | null | undefined): HitSignals | null {
  if (text === null || text === undefined || text === '') return null;
  try {
    const v = JSON.parse(text) as { v?: unknown; rules?: unknown; method?: unknown; ip_list?: unknown };
    if (typeof v.v !== 'number' || !Array.isArray(v.rules)) return null;
    return {
      version: v.v,
      rules: v.rules.filter((r): r is string => typeof r === 'string'),
      method: v.method === 'HEAD' ? 'HEAD' : 'GET',
      ipList: typeof v.ip_list === 'string' ? v.ip_list : null,
    };
  } catch {
    return null;
  }
}
