import { useState } from 'react';
import { type Email, api, call } from '../api/client';
import { HumanOfAll } from '../components/human-of-all';
import { Pager, useCursor } from '../components/pager';
import { Async, Empty } from '../components/states';
import { Badge, Card, PageHeader, When } from '../components/ui';
import { Table } from '../components/table';
import { useLoad } from '../load';
import { Link } from '../router';

const STATUSES = ['', 'queued', 'sent', 'captured', 'failed'];

export function Emails() {
  const cursor = useCursor();
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const query = {
    limit: 50,
    ...(cursor.after ? { after: cursor.after } : {}),
    ...(status ? { status: status as Email['status'] } : {}),
    ...(since ? { since: new Date(since).toISOString() } : {}),
    ...(until ? { until: new Date(until).toISOString() } : {}),
  };
  const page = useLoad(() => call(api.GET('/v1/emails', { params: { query } })), [JSON.stringify(query)]);
  const matches = (e: Email) => search === '' || `${e.subject} ${e.from} ${e.to.join(' ')}`.toLowerCase().includes(search.toLowerCase());
  return (
    <>
      <PageHeader title="Emails" />
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter this page">
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              cursor.reset();
            }}
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s === '' ? 'Any' : s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sent from
          <input
            type="datetime-local"
            value={since}
            onChange={(e) => {
              setSince(e.target.value);
              cursor.reset();
            }}
          />
        </label>
        <label>
          Until
          <input
            type="datetime-local"
            value={until}
            onChange={(e) => {
              setUntil(e.target.value);
              cursor.reset();
            }}
          />
        </label>
        <label>
          Subject, from or to
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search this page" />
        </label>
      </form>
      <Card>
        <Async state={page} what="emails">
          {(p) => {
            const rows = p.data.filter(matches);
            if (p.data.length === 0) {
              return status || since || until ? (
                <Empty title="No email matches these filters" />
              ) : (
                <Empty title="No email yet">Emails sent with POST /v1/emails appear here.</Empty>
              );
            }
            return (
              <>
                {rows.length === 0 ? (
                  <Empty title="No email on this page matches" />
                ) : (
                  <Table
                    columns={[{ label: 'Subject' }, { label: 'To' }, { label: 'Status' }, { label: 'Sent' }, { label: 'Opens by people', numeric: true }, { label: 'Clicks by people', numeric: true }]}
                    className="stacked"
                    testId="emails"
                  >
                    {rows.map((e) => (
                      <tr key={e.id}>
                        <td className="whole" data-label="Subject">
                          <Link to={`/emails/${e.id}`}>{e.subject || '(no subject)'}</Link>
                          <div className="muted small">{e.from}</div>
                        </td>
                        <td className="wrap whole" data-label="To">
                          {e.to.join(', ')}
                        </td>
                        <td data-label="Status">
                          <Badge value={e.status} />
                        </td>
                        <td className="nowrap" data-label="Sent">
                          <When iso={e.created_at} />
                        </td>
                        <td className="num" data-label="Opens by people">
                          <HumanOfAll human={e.human_open_count} all={e.open_count} machine={e.machine_open_count} />
                        </td>
                        <td className="num" data-label="Clicks by people">
                          <HumanOfAll human={e.human_click_count} all={e.click_count} machine={e.machine_click_count} />
                        </td>
                      </tr>
                    ))}
                  </Table>
                )}
                <Pager cursor={cursor} nextCursor={p.next_cursor} />
              </>
            );
          }}
        </Async>
      </Card>
    </>
  );
}
