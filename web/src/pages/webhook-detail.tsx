import { type FormEvent, useEffect, useState } from 'react';
import { type WebhookEndpoint, api, call } from '../api/client';
import { Pager, useCursor } from '../components/pager';
import { Async, Empty } from '../components/states';
import { ActionError, Badge, Card, PageHeader, ShownOnce, useAction, When } from '../components/ui';
import { Table } from '../components/table';
import { when } from '../format';
import { useLoad } from '../load';
import { Link, useRoute } from '../router';
import { useSession } from '../session';
import { EventChoice, type EventType, HumanOnlyChoice } from './webhooks';

export function WebhookDetail({ id }: { id: string }) {
  const endpoint = useLoad(() => call(api.GET('/v1/webhooks/{id}', { params: { path: { id } } })), [id]);
  const [current, setCurrent] = useState<WebhookEndpoint | undefined>();
  useEffect(() => setCurrent(endpoint.data), [endpoint.data]);
  return (
    <>
      <p className="crumbs">
        <Link to="/webhooks">Webhooks</Link> /
      </p>
      <Async state={endpoint} what="the endpoint">
        {() => (current ? <EndpointView w={current} onChange={setCurrent} /> : null)}
      </Async>
    </>
  );
}

function EndpointView({ w, onChange }: { w: WebhookEndpoint; onChange: (w: WebhookEndpoint) => void }) {
  const { isAdmin } = useSession();
  const { go } = useRoute();
  const act = useAction();
  const [secret, setSecret] = useState<string | null>(null);
  const [events, setEvents] = useState<EventType[]>((w.events ?? []) as EventType[]);
  const [humanOnly, setHumanOnly] = useState(w.human_only);
  const [round, setRound] = useState(0);
  const [since, setSince] = useState(() => new Date(Date.now() - 86_400_000).toISOString().slice(0, 16));
  const [notice, setNotice] = useState<string | null>(null);
  const patch = (body: Record<string, unknown>) =>
    act.run(async () => onChange(await call(api.PATCH('/v1/webhooks/{id}', { params: { path: { id: w.id! } }, body: body as never }))));
  const replay = async (e: FormEvent) => {
    e.preventDefault();
    await act.run(async () => {
      const res = await call(api.POST('/v1/webhooks/{id}/replay', { params: { path: { id: w.id! } }, body: { since: new Date(since).toISOString() } }));
      setNotice(`Queued ${res.queued ?? 0} events again.`);
      setRound((r) => r + 1);
    });
  };
  return (
    <>
      <PageHeader title={w.description || w.url || 'Endpoint'}>
        {w.enabled ? <Badge value="enabled" /> : <Badge value={`disabled_${w.disabled_reason ?? ''}`} />}
      </PageHeader>
      <ActionError error={act.error} />
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      {secret ? <ShownOnce label="The new signing secret. The old one keeps signing beside it for 24 hours." secret={secret} /> : null}
      <div className="grid-2">
        <Card title="Endpoint">
          <dl className="facts">
            <dt>URL</dt>
            <dd className="url">{w.url}</dd>
            <dt>Opens and clicks</dt>
            <dd data-testid="endpoint-human-only">{w.human_only ? "people's only" : "all, people's and machines'"}</dd>
            <dt>Created</dt>
            <dd>{when(w.created_at)}</dd>
            <dt>Failing since</dt>
            <dd>{when(w.failing_since)}</dd>
            <dt>Previous secret signs until</dt>
            <dd>{when(w.previous_secret_expires_at)}</dd>
          </dl>
          {isAdmin ? (
            <div className="button-row">
              <button type="button" className="button" disabled={act.busy} onClick={() => void patch({ enabled: !w.enabled })}>
                {w.enabled ? 'Disable' : 'Enable'}
              </button>
              <button
                type="button"
                className="button"
                disabled={act.busy}
                onClick={() =>
                  void act.run(async () => {
                    const res = await call(api.POST('/v1/webhooks/{id}/rotate-secret', { params: { path: { id: w.id! } } }));
                    setSecret(res.secret ?? null);
                    onChange(res.endpoint as WebhookEndpoint);
                  })
                }
              >
                Rotate secret
              </button>
              <button
                type="button"
                className="button"
                disabled={act.busy || !w.enabled}
                onClick={() =>
                  void act.run(async () => {
                    await call(api.POST('/v1/webhooks/{id}/test', { params: { path: { id: w.id! } } }));
                    setNotice('A test event is on its way.');
                    setTimeout(() => setRound((r) => r + 1), 800);
                  })
                }
              >
                Send test event
              </button>
              <button
                type="button"
                className="button danger"
                disabled={act.busy}
                onClick={() =>
                  void act.run(async () => {
                    if (!window.confirm('Delete this endpoint and its delivery log?')) return;
                    await call(api.DELETE('/v1/webhooks/{id}', { params: { path: { id: w.id! } } }));
                    go('/webhooks');
                  })
                }
              >
                Delete
              </button>
            </div>
          ) : null}
        </Card>
        <Card title="Subscriptions">
          <EventChoice value={events} onChange={setEvents} disabled={!isAdmin || act.busy} />
          <HumanOnlyChoice value={humanOnly} onChange={setHumanOnly} disabled={!isAdmin || act.busy} />
          {isAdmin ? (
            <button type="button" className="button" disabled={act.busy || events.length === 0} onClick={() => void patch({ events, human_only: humanOnly })}>
              Save subscriptions
            </button>
          ) : null}
          {isAdmin ? (
            <form onSubmit={replay} className="stack replay">
              <label htmlFor="replay-since">Send again every event since</label>
              <div className="inline-form">
                <input id="replay-since" type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} required />
                <button type="submit" className="button" disabled={act.busy}>
                  Replay
                </button>
              </div>
            </form>
          ) : null}
        </Card>
      </div>
      <Deliveries endpointId={w.id!} round={round} />
    </>
  );
}

function Deliveries({ endpointId, round }: { endpointId: string; round: number }) {
  const { isAdmin } = useSession();
  const cursor = useCursor();
  const [again, setAgain] = useState(0);
  const list = useLoad(
    () => call(api.GET('/v1/webhooks/{id}/deliveries', { params: { path: { id: endpointId }, query: { limit: 25, ...(cursor.after ? { after: cursor.after } : {}) } } })),
    [endpointId, cursor.after, round, again],
  );
  const retry = useAction();
  return (
    <Card title="Delivery log">
      <div className="button-row">
        <button type="button" className="button small" onClick={() => setAgain((n) => n + 1)}>
          Refresh
        </button>
      </div>
      <ActionError error={retry.error} />
      <Async state={list} what="deliveries">
        {(p) =>
          p.data.length === 0 ? (
            <Empty title="Nothing delivered yet" />
          ) : (
            <>
              <Table columns={[{ label: 'Event' }, { label: 'Status' }, { label: 'Attempts', numeric: true }, { label: 'Last answer' }, { label: 'Next attempt' }, { label: 'Actions', hidden: true }]} className="stacked" testId="deliveries">
                {p.data.map((d) => (
                  <tr key={d.id}>
                    <td data-label="Event">
                      {d.event_type}
                      <div className="muted small">
                        <When iso={d.created_at} />
                      </div>
                    </td>
                    <td data-label="Status">
                      <Badge value={d.status ?? null} />
                    </td>
                    <td className="num" data-label="Attempts">
                      {d.attempts}
                    </td>
                    <td className="small wrap whole" data-label="Last answer">
                      {d.response_status ?? '—'} {d.duration_ms !== null && d.duration_ms !== undefined ? `· ${d.duration_ms} ms` : ''}
                      {d.error ? <div className="muted">{d.error}</div> : null}
                      {d.response_body ? <pre className="excerpt">{d.response_body}</pre> : null}
                    </td>
                    <td className="nowrap" data-label="Next attempt">
                      <When iso={d.next_attempt_at} />
                    </td>
                    <td>
                      {isAdmin ? (
                        <button
                          type="button"
                          className="button small"
                          disabled={retry.busy}
                          onClick={() =>
                            void retry.run(async () => {
                              await call(api.POST('/v1/webhooks/{id}/deliveries/{deliveryId}/retry', { params: { path: { id: endpointId, deliveryId: d.id! } } }));
                              setTimeout(() => setAgain((n) => n + 1), 800);
                            })
                          }
                        >
                          Retry
                        </button>
                      ) : null}
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
  );
}
