import { rate } from '../format';
import { HumanOfAll } from './human-of-all';
import { Empty } from './states';
import { Table } from './table';

export interface LinkRow {
  url: string;
  label: string;
  index: number;
  clicks: number;
  unique_clicks: number;
  human_clicks: number;
  human_unique_clicks: number;
  machine_clicks: number;
}

/** Per-link clicks, people's beside everyone's; the share bar is each link's part of the people's clicks in the table. */
export function LinkTable({ rows, emptyTitle }: { rows: LinkRow[]; emptyTitle: string }) {
  if (rows.length === 0) return <Empty title={emptyTitle} />;
  const humanTotal = rows.reduce((n, r) => n + r.human_clicks, 0);
  return (
    <Table
      columns={[{ label: '#' }, { label: 'Link' }, { label: 'Clicks by people', numeric: true }, { label: 'Unique by people', numeric: true }, { label: "People's share" }]}
      className="stacked"
      testId="links"
    >
      {rows.map((r) => {
        const share = humanTotal === 0 ? 0 : r.human_clicks / humanTotal;
        return (
          <tr key={`${r.index}-${r.url}`}>
            <td className="num index" data-label="#">
              {r.index}
            </td>
            <td className="wrap whole" data-label="Link">
              <div>{r.label || '(no text)'}</div>
              <div className="muted small url">{r.url}</div>
            </td>
            <td className="num" data-label="Clicks by people">
              <HumanOfAll human={r.human_clicks} all={r.clicks} machine={r.machine_clicks} />
            </td>
            <td className="num" data-label="Unique by people">
              <HumanOfAll human={r.human_unique_clicks} all={r.unique_clicks} />
            </td>
            <td className="nowrap whole" data-label="People's share">
              <meter min={0} max={1} value={share} aria-label={`share of people's clicks ${rate(share)}`} /> {rate(share)}
            </td>
          </tr>
        );
      })}
    </Table>
  );
}
