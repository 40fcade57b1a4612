import { type FormEvent, useEffect, useState } from 'react';
import { type Export, api, call } from '../api/client';
import { Pager, useCursor } from '../components/pager';
import { Async, Empty } from '../components/states';
import { ActionError, Badge, Card, PageHeader, useAction, When } from '../components/ui';
import { Table } from '../components/table';
import { count, when } from '../format';
import { useLoad } from '../load';
import { useSession } from '../session';

/** What each resource can be filtered by (the server checks the same list). */
const RESOURCES: Record<string, readonly string[]> = {
  emails: ['since', 'until'],
  events: ['type', 'email_id', 'since', 'until'],
  domains: ['since', 'until'],
  webhook_deliveries: ['endpoint_id', 'status', 'since', 'until'],
  api_keys: ['since', 'until'],
};

const FILTER_LABELS: Record<string, string> = { since: 'Since', until: 'Until', type: 'Event type', email_id: 'Email id', endpoint_id: 'Endpoint id', status: 'Status' };

export function Exports() {
  const { isAdmin } = useSession();
  const cursor = useCursor();
  const [round, setRound] = useState(0);
  const list = useLoad(() => call(api.GET('/v1/exports', { params: { query: { limit: 25, ...(cursor.after ? { after: cursor.after } : {}) } } })), [cursor.after, round]);
  const running = (list.data?.data ?? []).some((e) => e.status === 'running');
  useEffect(() => {
    if (!running) return;
    const t = setTimeout(() => setRound((r) => r + 1), 1000);
    return () => clearTimeout(t);
  }, [running, list.data]);
  return (
    <>
      <PageHeader title="Exports" />
      {isAdmin ? <NewExport onCreated={() => setRound((r) => r + 1)} /> : <p className="muted">Exports need an admin key.</p>}
      <Card>
        <Async state={list} what="exports">
          {(p) =>
            p.data.length === 0 ? (
              <Empty title="No export yet">An export is a CSV of emails, events, domains, deliveries or keys, kept for 7 days.</Empty>
            ) : (
              <>
                <Table columns={[{ label: 'Resource' }, { label: 'Filters' }, { label: 'Status' }, { label: 'Rows', numeric: true }, { label: 'Created' }, { label: 'File' }]} className="stacked" testId="exports">
                  {p.data.map((e) => (
                    <ExportRow key={e.id} e={e} />
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

function ExportRow({ e }: { e: Export }) {
  const expired = Date.parse(e.expires_at) <= Date.now();
  const filters = Object.entries(e.filters).map(([k, v]) => `${k}=${v}`);
  return (
    <tr>
      <td data-label="Resource">{e.resource}</td>
      <td className="small wrap" data-label="Filters">{filters.length === 0 ? <span className="muted">none</span> : filters.join(', ')}</td>
      <td data-label="Status">
        {expired ? <Badge value="expired" /> : <Badge value={e.status} />}
        {e.error ? <div className="muted small">{e.error}</div> : null}
      </td>
      <td className="num" data-label="Rows">
        {e.status === 'running' ? (
          <>
            <progress max={e.rows ?? undefined} value={e.rows_done} aria-label="rows written" /> {count(e.rows_done)}
          </>
        ) : (
          count(e.rows ?? e.rows_done)
        )}
      </td>
      <td className="nowrap" data-label="Created">
        <When iso={e.created_at} />
      </td>
      <td className="nowrap" data-label="File">
        {e.status === 'completed' && !expired ? (
          <a className="button small" href={`/v1/exports/${e.id}/download`} download>
            Download CSV
          </a>
        ) : expired ? (
          <span className="muted small">expired {when(e.expires_at)}</span>
        ) : (
          <span className="muted small">available until {when(e.expires_at)}</span>
        )}
      </td>
    </tr>
  );
}

function NewExport({ onCreated }: { onCreated: () => void }) {
  const [resource, setResource] = useState('emails');
  const [filters, setFilters] = useState<Record<string, string>>({});
  const create = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const chosen = Object.fromEntries(
      Object.entries(filters)
        .filter(([k, v]) => RESOURCES[resource]!.includes(k) && v.trim() !== '')
        .map(([k, v]) => [k, k === 'since' || k === 'until' ? new Date(v).toISOString() : v.trim()]),
    );
    const ok = await create.run(() => call(api.POST('/v1/exports', { body: { resource, filters: chosen }, parseAs: 'text' })));
    if (ok) onCreated();
  };
  return (
    <Card title="New export">
      <form onSubmit={submit} className="filters">
        <label>
          Resource
          <select value={resource} onChange={(e) => setResource(e.target.value)}>
            {Object.keys(RESOURCES).map((r) => (
              <option key={r} value={r}>
                {r.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </label>
        {RESOURCES[resource]!.map((f) => (
          <label key={f}>
            {FILTER_LABELS[f] ?? f}
            <input
              type={f === 'since' || f === 'until' ? 'datetime-local' : 'text'}
              value={filters[f] ?? ''}
              onChange={(e) => setFilters({ ...filters, [f]: e.target.value })}
              placeholder={f === 'type' ? 'sent, opened or clicked' : f === 'status' ? 'pending, delivered or failed' : undefined}
            />
          </label>
        ))}
        <button type="submit" className="button primary" disabled={create.busy}>
          {create.busy ? 'Exporting…' : 'Export'}
        </button>
      </form>
      <ActionError error={create.error} />
    </Card>
  );
}
