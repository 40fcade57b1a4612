/**
 * CSV per RFC 4180: fields separated by commas, records by CRLF, a field quoted when it holds a
 * comma, a double quote, CR or LF, and its double quotes doubled. UTF-8 (the caller encodes).
 *
 * Formula injection: a text cell starting with `=`, `+`, `-` or `@` (or a tab or CR, which some
 * spreadsheets skip before those) is prefixed with a single quote, so a spreadsheet shows it as
 * text instead of evaluating it (OWASP's recommendation). Numbers are written as they are.
 */
export type CsvCell = string | number | boolean | null;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A text cell made safe against formula injection (before quoting). */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function encodeCell(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  const safe = neutralise(cell);
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One record, CRLF-terminated. */
export function encodeRow(cells: readonly CsvCell[]): string {
  return cells.map(encodeCell).join(',') + '\r\n';
}
