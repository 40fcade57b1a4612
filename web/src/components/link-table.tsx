import { count, rate } from '../format';
import { Empty } from './states';
import { Table } from './table';

export interface LinkRow {
  url: string;
  label: string;
  index: number;
  clicks: number;
  unique_clicks: number;
}

/** Per-link clicks; the share bar is each link's part of all clicks in the table. */
export function LinkTable({ rows, emptyTitle }: { rows: LinkRow[]; emptyTitle: string }) {
  if (rows.length === 0) return <Empty title={emptyTitle} />;
  const total = rows.reduce((n, r) => n + r.clicks, 0);
  return (
    <Table columns={[{ label: '#' }, { label: 'Link' }, { label: 'Clicks', numeric: true }, { label: 'Unique', numeric: true }, { label: 'Share' }]}>
      {rows.map((r) => {
        const share = total === 0 ? 0 : r.clicks / total;
        return (
          <tr key={`${r.index}-${r.url}`}>
            <td className="num">{r.index}</td>
            <td className="wrap">
              <div>{r.label || '(no text)'}</div>
              <div className="muted small url">{r.url}</div>
            </td>
            <td className="num">{count(r.clicks)}</td>
            <td className="num">{count(r.unique_clicks)}</td>
            <td>
              <meter min={0} max={1} value={share} aria-label={`share of clicks ${rate(share)}`} /> {rate(share)}
            </td>
          </tr>
        );
      })}
    </Table>
  );
}
