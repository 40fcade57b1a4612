import { type FormEvent, useId, useState } from 'react';
import { api, call } from '../api/client';
import { Pager, useCursor } from '../components/pager';
import { Async, Empty } from '../components/states';
import { ActionError, Badge, Card, PageHeader, ShownOnce, useAction, When } from '../components/ui';
import { Table } from '../components/table';
import { useLoad } from '../load';
import { Link } from '../router';
import { useSession } from '../session';
import { WEBHOOK_EVENT_TYPES } from '../../../src/core/model';

// The one list, shared with the server: the dashboard offers what the API accepts.
export type EventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function EventChoice({ value, onChange, disabled }: { value: EventType[]; onChange: (v: EventType[]) => void; disabled?: boolean }) {
  return (
    <fieldset className="checks" disabled={disabled}>
      <legend>Events</legend>
      {WEBHOOK_EVENT_TYPES.map((t) => (
        <label key={t} className="toggle">
          <input type="checkbox" checked={value.includes(t)} onChange={(e) => onChange(e.target.checked ? [...value, t] : value.filter((v) => v !== t))} /> {t}
        </label>
      ))}
    </fieldset>
  );
}

/** human_only: only a person's opens and clicks are sent; other event types are unaffected. */
export function HumanOnlyChoice({ value, onChange, disabled }: { value: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  const hint = useId();
  return (
    <div>
      <label className="toggle">
        <input type="checkbox" checked={value} onChange={(e) => onChange(e.target.checked)} disabled={disabled} aria-describedby={hint} /> People's opens and
        clicks only
      </label>
      <p id={hint} className="muted small hint">
        Opens and clicks labelled a machine's (Apple Mail Privacy Protection, security scanners, link previews) are not sent.
      </p>
    </div>
  );
}

export function Webhooks() {
  const { isAdmin } = useSession();
  const cursor = useCursor();
  const list = useLoad(() => call(api.GET('/v1/webhooks', { params: { query: { limit: 50, ...(cursor.after ? { after: cursor.after } : {}) } } })), [cursor.after]);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<EventType[]>([...WEBHOOK_EVENT_TYPES]);
  const [humanOnly, setHumanOnly] = useState(false);
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null);
  const create = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await create.run(async () => {
      const res = await call(api.POST('/v1/webhooks', { body: { url: url.trim(), events, human_only: humanOnly, ...(description.trim() ? { description: description.trim() } : {}) } }));
      setSecret({ id: res.endpoint!.id!, secret: res.secret! });
    });
    if (ok) {
      setUrl('');
      setDescription('');
      setHumanOnly(false);
      list.reload();
    }
  };
  return (
    <>
      <PageHeader title="Webhooks" />
      {isAdmin ? (
        <Card title="Add an endpoint">
          <form onSubmit={submit} className="stack">
            <label htmlFor="webhook-url">URL</label>
            <input id="webhook-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://crm.example.com/hooks/waymark" required />
            <label htmlFor="webhook-description">Description</label>
            <input id="webhook-description" value={description} onChange={(e) => setDescription(e.target.value)} placeholder="optional" />
            <EventChoice value={events} onChange={setEvents} />
            <HumanOnlyChoice value={humanOnly} onChange={setHumanOnly} />
            <div>
              <button type="submit" className="button primary" disabled={create.busy || url.trim() === '' || events.length === 0}>
                Add endpoint
              </button>
            </div>
          </form>
          <ActionError error={create.error} />
          {secret ? (
            <>
              <ShownOnce label="Signing secret of the new endpoint." secret={secret.secret} />
              <Link to={`/webhooks/${secret.id}`}>Open the endpoint</Link>
            </>
          ) : null}
        </Card>
      ) : null}
      <Card>
        <Async state={list} what="webhook endpoints">
          {(p) =>
            p.data.length === 0 ? (
              <Empty title="No endpoint yet">Endpoints receive signed events (Standard Webhooks) for sends, opens, clicks and domain changes.</Empty>
            ) : (
              <>
                <Table columns={[{ label: 'URL' }, { label: 'Events' }, { label: 'State' }, { label: 'Created' }]} className="stacked">
                  {p.data.map((w) => (
                    <tr key={w.id}>
                      <td className="url whole" data-label="URL">
                        <Link to={`/webhooks/${w.id}`}>{w.url}</Link>
                        {w.description ? <div className="muted small">{w.description}</div> : null}
                      </td>
                      <td className="small whole" data-label="Events">
                        {(w.events ?? []).join(', ')}
                        {w.human_only ? <div className="muted">people's opens and clicks only</div> : null}
                      </td>
                      <td data-label="State">{w.enabled ? <Badge value="enabled" /> : <Badge value={`disabled_${w.disabled_reason ?? ''}`} />}</td>
                      <td className="nowrap" data-label="Created">
                        <When iso={w.created_at} />
                      </td>
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
