import { HOUR_MS } from '../time.js';

/** Whether `tz` is an IANA time zone name this runtime knows (e.g. `Europe/Paris`, `UTC`). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(ms: number, tz: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, m: p.month!, d: p.day!, h: p.hour!, min: p.minute!, s: p.second! };
}

/** The UTC offset of `tz` at instant `ms`, in ms (local = utc + offset). */
function offsetAt(ms: number, tz: string): number {
  const p = partsIn(ms, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s) - Math.floor(ms / 1000) * 1000;
}

/** The instant the local day (in `tz`) that contains `ms` starts. */
export function dayStartIn(ms: number, tz: string): number {
  const p = partsIn(ms, tz);
  const localMidnight = Date.UTC(p.y, p.m - 1, p.d);
  // Two passes settle the offset across a DST change on that day.
  let guess = localMidnight - offsetAt(localMidnight, tz);
  guess = localMidnight - offsetAt(guess, tz);
  return guess;
}

/**
 * Groups hourly rows into local days of `tz`, summing every numeric field but `bucket`, which
 * becomes the instant the local day starts. Rows must be oldest first; the result is too. An hour
 * is assigned by its start, so a zone with a non-whole-hour offset (e.g. Asia/Kolkata) puts the
 * hour that straddles midnight in the day it starts in.
 */
export function groupByDay<T extends { bucket: number }>(rows: readonly T[], tz: string): T[] {
  const out: T[] = [];
  // The current local day [start, next): recomputed once per day, not per hour (a local day
  // lasts 23 to 25 hours, so the day after `start` begins at dayStartIn(start + 25 h)).
  let start = Number.NaN;
  let next = Number.NaN;
  for (const row of rows) {
    const hour = Math.floor(row.bucket / HOUR_MS) * HOUR_MS;
    if (!(hour >= start && hour < next)) {
      start = tz === 'UTC' ? Math.floor(hour / 86_400_000) * 86_400_000 : dayStartIn(hour, tz);
      next = tz === 'UTC' ? start + 86_400_000 : dayStartIn(start + 25 * HOUR_MS, tz);
    }
    const day = start;
    const last = out[out.length - 1];
    if (last !== undefined && last.bucket === day) {
      const acc = last as Record<string, unknown>;
      for (const [k, v] of Object.entries(row)) if (k !== 'bucket' && typeof v === 'number') acc[k] = (acc[k] as number) + v;
    } else {
      out.push({ ...row, bucket: day });
    }
  }
  return out;
}
