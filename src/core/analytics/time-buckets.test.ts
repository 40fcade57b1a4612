import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../time.js';
import { dayStartIn, groupByDay, isTimeZone } from './time-buckets.js';

describe('time buckets', () => {
  it('knows IANA zones and rejects others', () => {
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('finds local midnight, including on DST change days', () => {
    expect(dayStartIn(Date.parse('2026-06-15T12:00:00Z'), 'UTC')).toBe(Date.parse('2026-06-15T00:00:00Z'));
    expect(dayStartIn(Date.parse('2026-06-15T12:00:00Z'), 'Europe/Paris')).toBe(Date.parse('2026-06-14T22:00:00Z'));
    expect(dayStartIn(Date.parse('2026-01-15T23:30:00Z'), 'Europe/Paris')).toBe(Date.parse('2026-01-15T23:00:00Z'));
    // 29 March 2026: Paris goes from +01:00 to +02:00 at 02:00 local; the day starts at +01:00.
    expect(dayStartIn(Date.parse('2026-03-29T20:00:00Z'), 'Europe/Paris')).toBe(Date.parse('2026-03-28T23:00:00Z'));
    expect(dayStartIn(Date.parse('2026-11-01T12:00:00Z'), 'America/New_York')).toBe(Date.parse('2026-11-01T04:00:00Z'));
  });

  it('day start is at or before the instant and less than 25 hours before (property)', () => {
    const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Kiritimati'];
    fc.assert(
      fc.property(fc.integer({ min: 1_500_000_000_000, max: 2_000_000_000_000 }), fc.constantFrom(...zones), (ms, tz) => {
        const start = dayStartIn(ms, tz);
        expect(start).toBeLessThanOrEqual(ms);
        expect(ms - start).toBeLessThan(25 * HOUR_MS);
        expect(dayStartIn(start, tz)).toBe(start);
      }),
    );
  });

  it('puts every hour in the local day that contains it, across DST changes (property)', () => {
    const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
    fc.assert(
      fc.property(
        fc.integer({ min: 472_000, max: 500_000 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 200 }),
        fc.constantFrom(...zones),
        (firstHour, gaps, tz) => {
          let h = firstHour * HOUR_MS;
          const rows = [{ bucket: h, n: 1 }];
          for (const g of gaps) rows.push({ bucket: (h += g * HOUR_MS), n: 1 });
          const expected = new Map<number, number>();
          for (const r of rows) {
            const d = dayStartIn(r.bucket, tz);
            expected.set(d, (expected.get(d) ?? 0) + 1);
          }
          expect(groupByDay(rows, tz)).toEqual([...expected].map(([bucket, n]) => ({ bucket, n })));
        },
      ),
    );
  });

  it('sums hours into local days, keeping totals', () => {
    const h = (iso: string, n: number) => ({ bucket: Date.parse(iso), sent: n, opens: 2 * n });
    const rows = [h('2026-06-14T21:00:00Z', 1), h('2026-06-14T22:00:00Z', 2), h('2026-06-15T21:00:00Z', 4), h('2026-06-15T22:00:00Z', 8)];
    expect(groupByDay(rows, 'Europe/Paris')).toEqual([
      { bucket: Date.parse('2026-06-13T22:00:00Z'), sent: 1, opens: 2 },
      { bucket: Date.parse('2026-06-14T22:00:00Z'), sent: 6, opens: 12 },
      { bucket: Date.parse('2026-06-15T22:00:00Z'), sent: 8, opens: 16 },
    ]);
    expect(groupByDay(rows, 'UTC').map((r) => r.sent)).toEqual([3, 12]);
  });
});
