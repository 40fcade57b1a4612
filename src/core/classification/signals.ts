import type { HitSignals } from '../model.js';

/** The stored form of a hit's signals: JSON with short, stable keys. */
export function encodeSignals(s: HitSignals): string {
  return JSON.stringify({ v: s.version, rules: s.rules, method: s.method, ip_list: s.ipList });
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
