/** Prints rows as left-aligned columns, as `docker ps` does; cells are single-line text. */
export function printTable(header: string[], rows: string[][]): void {
  const clean = (cell: string) => cell.replace(/[\r\n\t]/g, ' ');
  const all = [header, ...rows.map((r) => r.map(clean))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const lines = all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  process.stdout.write(lines.join('\n') + '\n');
}
