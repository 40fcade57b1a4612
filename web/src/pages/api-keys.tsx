import { type FormEvent, useState } from 'react';
import { api, call } from '../api/client';
import { Async, Empty } from '../components/states';
import { ActionError, Badge, Card, PageHeader, ShownOnce, useAction, When } from '../components/ui';
import { Table } from '../components/table';
import { useLoad } from '../load';
import { useSession } from '../session';

type Role = 'admin' | 'member' | 'sending';

export function ApiKeys() {
  const { isAdmin, key: me } = useSession();
  const [round, setRound] = useState(0);
  const list = useLoad(() => (isAdmin ? call(api.GET('/v1/api-keys')) : Promise.resolve(null)), [round, isAdmin]);
  const domains = useLoad(() => call(api.GET('/v1/domains', { params: { query: { limit: 100 } } })), []);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [expires, setExpires] = useState('');
  const [domainId, setDomainId] = useState('');
  const [issued, setIssued] = useState<string | null>(null);
  const act = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await act.run(async () => {
      const res = await call(
        api.POST('/v1/api-keys', {
          body: {
            name: name.trim(),
            role,
            ...(expires ? { expires_at: new Date(expires).toISOString() } : {}),
            ...(role === 'sending' && domainId ? { domain_id: domainId } : {}),
          },
        }),
      );
      setIssued(res.key ?? null);
    });
    if (ok) {
      setName('');
      setRound((r) => r + 1);
    }
  };
  if (!isAdmin) {
    return (
      <>
        <PageHeader title="API keys" />
        <Card>
          <p>
            You are signed in with <strong>{me.name}</strong> ({me.role}). Listing and creating keys needs an admin key.
          </p>
        </Card>
      </>
    );
  }
  return (
    <>
      <PageHeader title="API keys" />
      <Card title="Create a key">
        <form onSubmit={submit} className="filters">
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} placeholder="billing service" />
          </label>
          <label>
            Role
            <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              <option value="member">member: read only</option>
              <option value="sending">sending: send email only</option>
              <option value="admin">admin: everything</option>
            </select>
          </label>
          {role === 'sending' ? (
            <label>
              Only from
              <select value={domainId} onChange={(e) => setDomainId(e.target.value)}>
                <option value="">any domain</option>
                {(domains.data?.data ?? []).map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <label>
            Expires
            <input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
          </label>
          <button type="submit" className="button primary" disabled={act.busy || name.trim() === ''}>
            Create key
          </button>
        </form>
        <ActionError error={act.error} />
        {issued ? <ShownOnce label="The new API key." secret={issued} /> : null}
      </Card>
      <Card>
        <Async state={list} what="API keys">
          {(l) =>
            l === null || l.data.length === 0 ? (
              <Empty title="No key" />
            ) : (
              <Table columns={[{ label: 'Name' }, { label: 'Role' }, { label: 'Key' }, { label: 'Created' }, { label: 'Last used' }, { label: 'Expires' }, { label: 'Actions', hidden: true }]} className="stacked" testId="api-keys">
                {l.data.map((k) => (
                  <tr key={k.id}>
                    <td className="whole" data-label="Name">
                      {k.name}
                      {k.id === me.id ? <span className="muted small"> (this session)</span> : null}
                    </td>
                    <td data-label="Role">
                      <Badge value={k.role ?? null} />
                    </td>
                    <td data-label="Key">
                      <code>{k.prefix}…</code>
                    </td>
                    <td className="nowrap" data-label="Created">
                      <When iso={k.created_at} />
                    </td>
                    <td className="nowrap" data-label="Last used">
                      <When iso={k.last_used_at} />
                    </td>
                    <td className="nowrap" data-label="Expires">
                      {k.expires_at ? <When iso={k.expires_at} /> : 'never'}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="button small danger"
                        disabled={act.busy}
                        onClick={() =>
                          void act.run(async () => {
                            if (!window.confirm(`Revoke "${k.name}"? Requests with it are refused from now on.`)) return;
                            await call(api.DELETE('/v1/api-keys/{id}', { params: { path: { id: k.id! } } }));
                            setRound((r) => r + 1);
                          })
                        }
                      >
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </Table>
            )
          }
        </Async>
      </Card>
    </>
  );
}
