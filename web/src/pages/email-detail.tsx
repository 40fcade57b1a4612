import { useState } from 'react';
import { api, call } from '../api/client';
import { LinkTable } from '../components/link-table';
import { Async, Empty } from '../components/states';
import { Badge, Card, PageHeader } from '../components/ui';
import { count, when } from '../format';
import { useLoad } from '../load';
import { Link } from '../router';

export function EmailDetail({ id }: { id: string }) {
  const email = useLoad(() => call(api.GET('/v1/emails/{id}', { params: { path: { id } } })), [id]);
  const events = useLoad(() => call(api.GET('/v1/emails/{id}/events', { params: { path: { id }, query: { limit: 100 } } })), [id]);
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
                <dl className="facts">
                  <dt>Opens</dt>
                  <dd data-testid="email-opens">{count(e.open_count)}</dd>
                  <dt>First opened</dt>
                  <dd>{when(e.opened_at)}</dd>
                  <dt>Clicks</dt>
                  <dd data-testid="email-clicks">{count(e.click_count)}</dd>
                  <dt>First clicked</dt>
                  <dd>{when(e.clicked_at)}</dd>
                  <dt>Tracking</dt>
                  <dd>
                    opens {e.tracking.open ? 'on' : 'off'} · clicks {e.tracking.click === false ? 'off' : String(e.tracking.click).replace(/_/g, ' ')}
                  </dd>
                </dl>
              </Card>
            </div>
            <Card title="Timeline">
              <Async state={events} what="events">
                {(list) =>
                  list.data.length === 0 ? (
                    <Empty title="No event yet" />
                  ) : (
                    <ol className="timeline" data-testid="timeline">
                      {list.data.map((ev) => (
                        <li key={ev.id}>
                          <Badge value={ev.type} /> <span className="nowrap">{when(ev.created_at)}</span>
                          {ev.url ? <div className="muted small url">{ev.url}</div> : null}
                          {ev.user_agent ? <div className="muted small">{ev.user_agent}</div> : null}
                          {ev.detail ? <div className="muted small">{ev.detail}</div> : null}
                        </li>
                      ))}
                    </ol>
                  )
                }
              </Async>
            </Card>
            <Card title="Links">
              <Async state={links} what="links">
                {(l) => {
                  // Every tracked link of the email, with the analytics API's counts (0 where nobody clicked).
                  const stats = new Map(l.data.map((r) => [r.index, r]));
                  const rows = e.links.map((link) => stats.get(link.index) ?? { ...link, clicks: 0, unique_clicks: 0 });
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
