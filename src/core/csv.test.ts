import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCell, encodeRow, neutralise } from './csv.js';

describe('CSV (RFC 4180)', () => {
  it('quotes commas, quotes and line breaks, and doubles quotes', () => {
    expect(encodeRow(['a', 'b,c', 'say "hi"', 'line\nbreak', 'cr\r', 1, null, true])).toBe(
      'a,"b,c","say ""hi""","line\nbreak","cr\r",1,,true\r\n',
    );
  });

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1'])('neutralises formula cell %j', (cell) => {
    expect(neutralise(cell)).toBe(`'${cell}`);
    expect(encodeCell(cell).includes(`'${cell.replace(/"/g, '""')}`)).toBe(true);
  });

  it('leaves numbers alone, even negative ones', () => {
    expect(encodeCell(-5)).toBe('-5');
  });

  it('round-trips through csv-parse: every cell comes back, formula cells with their quote prefix (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 10 }),
        (rows) => {
          const width = rows[0]!.length;
          const table = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ''));
          const text = table.map(encodeRow).join('');
          const back = parse(text, { relax_column_count: false, record_delimiter: '\r\n' }) as string[][];
          const expected = table.map((r) => r.map(neutralise));
          expect(back).toEqual(expected);
        },
      ),
    );
  });
});
