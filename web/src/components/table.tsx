import type { ReactNode } from 'react';

export interface Column {
  label: string;
  /** Right-aligned figures. */
  numeric?: boolean;
  /** Named for screen readers only (a column of buttons). */
  hidden?: boolean;
}

/** A data table that scrolls sideways inside its own focusable region on narrow screens. */
export function Table({ columns, children, className, testId }: { columns: Column[]; children: ReactNode; className?: string; testId?: string }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Table (scrolls sideways on narrow screens)">
      <table className={className ? `table ${className}` : 'table'} data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.label} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.hidden ? <span className="visually-hidden">{c.label}</span> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
