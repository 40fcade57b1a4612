import { useState } from 'react';
import { api, call } from '../api/client';
import { type Classification, CLASSIFICATION_NAMES, HitLabel, HitSignals } from '../components/hit-label';
import { LinkTable } from '../components/link-table';
import { Async, Empty } from '../components/states';
import { Badge, Card, PageHeader } from '../components/ui';
import { count, when } from '../format';
import { useLoad } from '../load';
import { Link } from '../router';

export function EmailDetail({ id }: { id: string }) {
  const email = useLoad(() => call(api.GET('/v1/emails/{id}', { params: { path: { id } } })), [id]);
  const links = useLoad(() => call(api.GET('/v1/analytics/links', { params: { query: { email_id: id } } })), [id]);
  const [clickMap, setClickMap] = useState(true);

  return (
    <>
      <p className="crumbs">
        <Link to="/emails">Emails</Link> /
      </p>
      <Async state={email} what="the email">
        {(e) => (
          <>
            <PageHeader title={e.subject || '(no subject)'}>
              <Badge value={e.status} />
            </PageHeader>
            <div className="grid-2">
              <Card title="Message">
                <dl className="facts">
                  <dt>From</dt>
                  <dd>{e.from}</dd>
                  <dt>To</dt>
                  <dd>{e.to.join(', ')}</dd>
                  {e.cc.length > 0 ? (
                    <>
                      <dt>Cc</dt>
                      <dd>{e.cc.join(', ')}</dd>
                    </>
                  ) : null}
                  <dt>Created</dt>
                  <dd>{when(e.created_at)}</dd>
                  <dt>Sent</dt>
                  <dd>{when(e.sent_at)}</dd>
                  <dt>Status</dt>
                  <dd>
                    {e.status}
                    {e.status_detail ? <span className="muted"> · {e.status_detail}</span> : null}
                  </dd>
                  <dt>Tags</dt>
                  <dd>{e.tags.length === 0 ? '—' : e.tags.map((t) => `${t.name}:${t.value}`).join(', ')}</dd>
                  <dt>Message-ID</dt>
                  <dd className="url">{e.message_id ?? '—'}</dd>
                </dl>
              </Card>
              <Card title="Engagement">
                {e.tracking.aggregate_only ? (
                  <p className="muted" data-testid="email-aggregate-only">
                    Counted in aggregate only: this email&apos;s opens and clicks are in the totals per tag, link and hour, never on the email, and no
                    event of a recipient is kept.
                  </p>
                ) : null}
                <dl className="facts">
                  {e.tracking.aggregate_only ? null : (
                    <>
                      <dt>Opens</dt>
                      <dd>
                        <Engagement human={e.human_open_count} machine={e.machine_open_count} all={e.open_count} what="opens" />
                      </dd>
                      <dt>First opened by a person</dt>
                      <dd>{when(e.human_opened_at)}</dd>
                      <dt>First opened</dt>
                      <dd>{when(e.opened_at)}</dd>
                      <dt>Clicks</dt>
                      <dd>
                        <Engagement human={e.human_click_count} machine={e.machine_click_count} all={e.click_count} what="clicks" />
                      </dd>
                      <dt>First clicked by a person</dt>
                      <dd>{when(e.human_clicked_at)}</dd>
                      <dt>First clicked</dt>
                      <dd>{when(e.clicked_at)}</dd>
                    </>
                  )}
                  <dt>Tracking</dt>
                  <dd>
                    opens {e.tracking.open ? 'on' : 'off'} · clicks {e.tracking.click === false ? 'off' : String(e.tracking.click).replace(/_/g, ' ')}
                    {e.tracking.aggregate_only ? ' · aggregate only' : ''}
                  </dd>
                </dl>
              </Card>
            </div>
            <Card title="Timeline">
              <Timeline emailId={e.id} />
            </Card>
            <Card title="Links">
              <Async state={links} what="links">
                {(l) => {
                  // Every tracked link of the email, with the analytics API's counts (0 where nobody clicked).
                  const stats = new Map(l.data.map((r) => [r.index, r]));
                  const rows = e.links.map((link) => stats.get(link.index) ?? { ...link, clicks: 0, unique_clicks: 0, human_clicks: 0, human_unique_clicks: 0, machine_clicks: 0 });
                  return <LinkTable rows={rows} emptyTitle="This email has no tracked link" />;
                }}
              </Async>
            </Card>
            <Card title="Message as sent">
              {e.html === null ? (
                <Empty title="This email has no HTML part">{e.text ? <pre className="text-part">{e.text}</pre> : null}</Empty>
              ) : (
                <>
                  <label className="toggle">
                    <input type="checkbox" checked={clickMap} onChange={(ev) => setClickMap(ev.target.checked)} /> Show the click map
                  </label>
                  <iframe
                    title="Message preview"
                    className="preview"
                    sandbox=""
                    referrerPolicy="no-referrer"
                    src={`/v1/emails/${encodeURIComponent(e.id)}/preview?click_map=${clickMap}`}
                  />
                </>
              )}
            </Card>
          </>
        )}
      </Async>
    </>
  );
}

/** "2 by people · 1 by machines · 3 in all". */
function Engagement({ human, machine, all, what }: { human: number; machine: number; all: number; what: 'opens' | 'clicks' }) {
  return (
    <>
      <strong data-testid={`email-human-${what}`}>{count(human)}</strong> by people · <span data-testid={`email-machine-${what}`}>{count(machine)}</span> by machines ·{' '}
      <span className="muted">
        <span data-testid={`email-${what}`}>{count(all)}</span> in all
      </span>
    </>
  );
}

type EventFilter = '' | 'human' | 'machine' | Exclude<Classification, 'human'>;
const MACHINE_KINDS = (Object.keys(CLASSIFICATION_NAMES) as Classification[]).filter((c): c is Exclude<Classification, 'human'> => c !== 'human');

/** The email's events, newest first; opens and clicks with their label, filtered by who made them. */
function Timeline({ emailId }: { emailId: string }) {
  const [shown, setShown] = useState<EventFilter>('');
  const events = useLoad(
    () => call(api.GET('/v1/emails/{id}/events', { params: { path: { id: emailId }, query: { limit: 100, ...(shown ? { classification: shown } : {}) } } })),
    [emailId, shown],
  );
  return (
    <>
      <form className="filters" onSubmit={(ev) => ev.preventDefault()} aria-label="Filter the timeline">
        <label>
          Show
          <select value={shown} onChange={(ev) => setShown(ev.target.value as EventFilter)}>
            <option value="">every event</option>
            <option value="human">opens and clicks by people</option>
            <option value="machine">opens and clicks by machines</option>
            {MACHINE_KINDS.map((c) => (
              <option key={c} value={c}>
                {CLASSIFICATION_NAMES[c]} only
              </option>
            ))}
          </select>
        </label>
      </form>
      <Async state={events} what="events">
        {(list) =>
          list.data.length === 0 ? (
            <Empty title={shown ? 'No open or click with this label' : 'No event yet'} />
          ) : (
            <ol className="timeline" data-testid="timeline">
              {list.data.map((ev) => (
                <li key={ev.id}>
                  <div className="event-head">
                    <Badge value={ev.type} />
                    <HitLabel event={ev} />
                    <span className="nowrap event-time">{when(ev.created_at)}</span>
                  </div>
                  {ev.url ? <div className="muted small url">{ev.url}</div> : null}
                  {ev.user_agent ? <div className="muted small">{ev.user_agent}</div> : null}
                  {ev.detail ? <div className="muted small">{ev.detail}</div> : null}
                  <HitSignals signals={ev.signals} />
                </li>
              ))}
            </ol>
          )
        }
      </Async>
    </>
  );
}
