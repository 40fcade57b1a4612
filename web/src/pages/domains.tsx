import { type FormEvent, useState } from 'react';
import { api, call } from '../api/client';
import { Pager, useCursor } from '../components/pager';
import { Async, Empty } from '../components/states';
import { ActionError, Badge, Card, PageHeader, useAction } from '../components/ui';
import { Table } from '../components/table';
import { when } from '../format';
import { useLoad } from '../load';
import { Link, useRoute } from '../router';
import { useSession } from '../session';

export function Domains() {
  const { isAdmin } = useSession();
  const { go } = useRoute();
  const cursor = useCursor();
  const list = useLoad(() => call(api.GET('/v1/domains', { params: { query: { limit: 50, ...(cursor.after ? { after: cursor.after } : {}) } } })), [cursor.after]);
  const [name, setName] = useState('');
  const create = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await create.run(async () => {
      const d = await call(api.POST('/v1/domains', { body: { name: name.trim() } }));
      go(`/domains/${d.id}`);
    });
  };
  return (
    <>
      <PageHeader title="Domains" />
      {isAdmin ? (
        <Card title="Add a sending domain">
          <form className="inline-form" onSubmit={submit}>
            <label htmlFor="domain-name">Domain name</label>
            <input id="domain-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="example.com" required />
            <button type="submit" className="button primary" disabled={create.busy || name.trim() === ''}>
              Add domain
            </button>
          </form>
          <ActionError error={create.error} />
        </Card>
      ) : null}
      <Card>
        <Async state={list} what="domains">
          {(p) =>
            p.data.length === 0 ? (
              <Empty title="No domain yet">Add the domain you send from to sign its mail and track on your own subdomain.</Empty>
            ) : (
              <>
                <Table columns={[{ label: 'Domain' }, { label: 'Status' }, { label: 'Sending' }, { label: 'Tracking' }, { label: 'Tracking host' }]} className="stacked">
                  {p.data.map((d) => (
                    <tr key={d.id}>
                      <td className="whole" data-label="Domain">
                        <Link to={`/domains/${d.id}`}>{d.name}</Link>
                      </td>
                      <td data-label="Status">
                        <Badge value={d.status} />
                      </td>
                      <td data-label="Sending">
                        <Badge value={d.sending_status} />
                      </td>
                      <td data-label="Tracking">{d.tracking_status === null ? <span className="muted">no subdomain</span> : <Badge value={d.tracking_status} />}</td>
                      <td className="url" data-label="Tracking host">{d.tracking_host ?? <span className="muted">default</span>}</td>
                    </tr>
                  ))}
                </Table>
                <Pager cursor={cursor} nextCursor={p.next_cursor} />
              </>
            )
          }
        </Async>
      </Card>
    </>
  );
}
