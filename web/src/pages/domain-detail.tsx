import { type FormEvent, useEffect, useState } from 'react';
import { type Domain, api, call } from '../api/client';
import { Async, Empty } from '../components/states';
import { ActionError, Badge, Card, CopyButton, PageHeader, useAction } from '../components/ui';
import { Table } from '../components/table';
import { until, when } from '../format';
import { useLoad } from '../load';
import { Link, useRoute } from '../router';
import { useSession } from '../session';

export function DomainDetail({ id }: { id: string }) {
  const domain = useLoad(() => call(api.GET('/v1/domains/{id}', { params: { path: { id } } })), [id]);
  const [current, setCurrent] = useState<Domain | undefined>(undefined);
  useEffect(() => setCurrent(domain.data), [domain.data]);
  return (
    <>
      <p className="crumbs">
        <Link to="/domains">Domains</Link> /
      </p>
      <Async state={domain} what="the domain">
        {() => (current ? <DomainView d={current} onChange={setCurrent} /> : null)}
      </Async>
    </>
  );
}

function DomainView({ d, onChange }: { d: Domain; onChange: (d: Domain) => void }) {
  const { isAdmin } = useSession();
  const verify = useAction();
  const patch = useAction();
  // The setting shows the change at once; the server's answer replaces it, or the old value returns.
  const patchWith = async (body: Partial<Pick<Domain, 'open_tracking' | 'click_tracking' | 'trap_link' | 'aggregate_only' | 'tls'>>) => {
    onChange({ ...d, ...body });
    const ok = await patch.run(async () => onChange(await call(api.PATCH('/v1/domains/{id}', { params: { path: { id: d.id } }, body }))));
    if (!ok) onChange(d);
  };
  return (
    <>
      <PageHeader title={d.name}>
        <Badge value={d.status} />
        {isAdmin ? (
          <button
            type="button"
            className="button primary"
            disabled={verify.busy}
            onClick={() => void verify.run(async () => onChange(await call(api.POST('/v1/domains/{id}/verify', { params: { path: { id: d.id } } }))))}
          >
            {verify.busy ? 'Checking DNS…' : 'Verify'}
          </button>
        ) : null}
      </PageHeader>
      <ActionError error={verify.error} />
      {(d.warnings ?? []).map((w) => (
        <p key={w.message} className="warning" role="alert">
          {w.message}
        </p>
      ))}
      <Card title="DNS records">
        <p className="muted">
          Sending: <Badge value={d.sending_status} /> · Tracking: {d.tracking_status === null ? 'no subdomain' : <Badge value={d.tracking_status} />} · Last checked{' '}
          {when(d.last_checked_at)} · Next check {when(d.next_check_at)}
        </p>
        <Table columns={[{ label: 'Record' }, { label: 'Type' }, { label: 'Name' }, { label: 'Value' }, { label: 'Status' }, { label: 'Found' }]} className="records">
          {(d.records ?? []).map((r) => (
            <tr key={`${r.record}-${r.name}`} data-record={r.record}>
              <td data-label="Record">
                {r.record}
                {r.informational ? <div className="muted small">suggested</div> : null}
              </td>
              <td data-label="Type">
                {r.type}
                {r.priority !== undefined ? <div className="muted small">priority {r.priority}</div> : null}
              </td>
              <td data-label="Name" className="url">
                {r.name} <CopyButton text={r.name ?? ''} />
              </td>
              <td data-label="Value" className="url value">
                <span>{r.value}</span> <CopyButton text={r.value ?? ''} />
              </td>
              <td data-label="Status">
                <Badge value={r.status ?? null} />
                {r.problem ? <div className="muted small">{r.problem.replace(/_/g, ' ')}</div> : null}
              </td>
              <td data-label="Found" className="small">{(r.found ?? []).length === 0 ? <span className="muted nowrap">nothing</span> : <span className="url">{(r.found ?? []).join(', ')}</span>}</td>
            </tr>
          ))}
        </Table>
      </Card>
      <div className="grid-2">
        <Card title="Tracking">
          <fieldset disabled={!isAdmin} className="settings">
            <label className="toggle">
              <input type="checkbox" checked={d.open_tracking} onChange={(e) => void patchWith({ open_tracking: e.target.checked })} /> Track opens of mail from this domain
            </label>
            <label className="toggle">
              <input type="checkbox" checked={d.click_tracking} onChange={(e) => void patchWith({ click_tracking: e.target.checked })} /> Track clicks of mail from this domain
            </label>
            <div>
              <label className="toggle">
                <input type="checkbox" checked={d.trap_link} onChange={(e) => void patchWith({ trap_link: e.target.checked })} aria-describedby="trap-link-hint" /> Trap link
              </label>
              <p id="trap-link-hint" className="muted small hint">
                Adds a link no person sees to tracked HTML mail: a scanner that follows it is caught, with the other clicks of its burst.
              </p>
            </div>
            <div>
              <label className="toggle">
                <input type="checkbox" checked={d.aggregate_only} onChange={(e) => void patchWith({ aggregate_only: e.target.checked })} aria-describedby="aggregate-only-hint" />{' '}
                Aggregate only
              </label>
              <p id="aggregate-only-hint" className="muted small hint">
                Counts opens and clicks of new mail in totals per tag, link and hour only: nothing is kept per recipient (no event, IP address or
                user agent, no per-recipient webhook) and unique counts are unavailable. Mail already sent keeps its mode.
              </p>
            </div>
            <label>
              TLS towards receiving servers
              <select value={d.tls} onChange={(e) => void patchWith({ tls: e.target.value as Domain['tls'] })}>
                <option value="opportunistic">opportunistic</option>
                <option value="enforced">enforced</option>
              </select>
            </label>
          </fieldset>
          <ActionError error={patch.error} />
          {!isAdmin ? <p className="muted small">A member key can look; changes need an admin key.</p> : null}
        </Card>
        <SubdomainCard d={d} onChange={onChange} />
      </div>
      <Card title="Tracking hosts">
        {(d.tracking_hosts ?? []).length === 0 ? (
          <Empty title="No tracking subdomain yet">Mail from this domain carries its links on the default tracking host.</Empty>
        ) : (
          <ul className="hosts">
            {(d.tracking_hosts ?? []).map((h) => (
              <li key={h.hostname}>
                <span className="url">{h.hostname}</span> <Badge value={h.status ?? null} />
                {h.active ? <span className="badge badge-active">active</span> : null}
                {h.serving ? <span className="muted small"> serves its links</span> : <span className="muted small"> not serving yet</span>}
                <div className="muted small">
                  added {when(h.created_at)} · verified {when(h.verified_at)}
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
      {isAdmin ? <DeleteDomain d={d} /> : null}
    </>
  );
}

function SubdomainCard({ d, onChange }: { d: Domain; onChange: (d: Domain) => void }) {
  const { isAdmin } = useSession();
  const [label, setLabel] = useState(d.tracking_subdomain ?? '');
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);
  const save = useAction();
  const changeableAt = d.tracking_subdomain_changeable_at;
  const locked = changeableAt !== null && changeableAt !== undefined && Date.parse(changeableAt) > now;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await save.run(async () => onChange(await call(api.PATCH('/v1/domains/{id}', { params: { path: { id: d.id } }, body: { tracking_subdomain: label.trim() } }))));
  };
  return (
    <Card title="Tracking subdomain">
      <form onSubmit={submit} className="stack">
        <label htmlFor="subdomain">
          Subdomain of {d.name} for links and the pixel (a CNAME to Waymark)
        </label>
        <div className="inline-form">
          <input id="subdomain" value={label} onChange={(e) => setLabel(e.target.value)} placeholder="links" disabled={!isAdmin} />
          <span className="muted">.{d.name}</span>
          <button type="submit" className="button" disabled={!isAdmin || save.busy || locked || label.trim() === '' || label.trim() === d.tracking_subdomain}>
            {d.tracking_subdomain ? 'Change' : 'Set'}
          </button>
        </div>
        {locked ? (
          <p className="muted small" data-testid="subdomain-countdown">
            The subdomain changes at most once a day, so links in sent mail keep working: it can change again {until(changeableAt!, now)} ({when(changeableAt)}).
          </p>
        ) : (
          <p className="muted small">It can change once every 24 hours; every host it has had keeps serving the links minted on it.</p>
        )}
        <ActionError error={save.error} />
      </form>
    </Card>
  );
}

function DeleteDomain({ d }: { d: Domain }) {
  const { go } = useRoute();
  const remove = useAction();
  const [broken, setBroken] = useState<number | null>(null);
  const attempt = (force: boolean) =>
    remove.run(async () => {
      const res = await api.DELETE('/v1/domains/{id}', { params: { path: { id: d.id }, query: { force } } });
      if (res.response.status === 409) {
        const body = res.error as unknown as { error: { code: string; emails_with_broken_links?: number } };
        if (body.error.code === 'domain_in_use') {
          setBroken(body.error.emails_with_broken_links ?? 0);
          return;
        }
      }
      await call(Promise.resolve(res));
      go('/domains');
    });
  return (
    <Card title="Delete this domain" className="danger-zone">
      {broken === null ? (
        <>
          <p className="muted">Its tracking hosts stop answering: links and pixels in mail sent from them stop working.</p>
          <button type="button" className="button danger" disabled={remove.busy} onClick={() => void attempt(false)}>
            Delete {d.name}
          </button>
        </>
      ) : (
        <div role="alertdialog" aria-label="Confirm deleting the domain">
          <p className="warning">
            {broken === 1 ? '1 email' : `${broken} emails`} sent in the last 90 days {broken === 1 ? 'carries' : 'carry'} links on this domain's tracking hosts. Deleting it breaks those
            links for good.
          </p>
          <button type="button" className="button danger" disabled={remove.busy} onClick={() => void attempt(true)}>
            Delete anyway and break {broken} {broken === 1 ? 'email' : 'emails'}
          </button>{' '}
          <button type="button" className="button" onClick={() => setBroken(null)}>
            Keep it
          </button>
        </div>
      )}
      <ActionError error={remove.error} />
    </Card>
  );
}
