const number = new Intl.NumberFormat('en');
const percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat('en', { timeStyle: 'short' });

export const count = (n: number) => number.format(n);
export const rate = (r: number) => percent.format(r);
export function when(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

/** when() in its two halves, date and time ("Dec 7, 2026", "3:37 PM"), for a line that may break between them; null: none. */
export function whenParts(iso: string | null | undefined): [string, string] | null {
  if (!iso) return null;
  const d = new Date(iso);
  return [dateOnly.format(d), timeOnly.format(d)];
}

/** "in 3 h 20 min" / "now", for countdowns. */
export function until(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  if (ms <= 0) return 'now';
  const minutes = Math.ceil(ms / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? `in ${h} h ${m} min` : `in ${m} min`;
}
