import { useState } from 'react';
import { api, call } from '../api/client';
import { LinkTable } from '../components/link-table';
import { Async } from '../components/states';
import { Card, PageHeader } from '../components/ui';
import { useLoad } from '../load';
import { useRoute } from '../router';

type Scope = 'all' | 'email' | 'tag' | 'domain';

export function Links() {
  const { search } = useRoute();
  const [scope, setScope] = useState<Scope>(search.get('email_id') ? 'email' : 'all');
  const [value, setValue] = useState(search.get('email_id') ?? '');
  const [applied, setApplied] = useState({ scope, value });
  const domains = useLoad(() => call(api.GET('/v1/domains', { params: { query: { limit: 100 } } })), []);
  const query =
    applied.scope === 'email' && applied.value
      ? { email_id: applied.value }
      : applied.scope === 'tag' && applied.value
        ? { tag: applied.value }
        : applied.scope === 'domain' && applied.value
          ? { domain_id: applied.value }
          : {};
  const links = useLoad(() => call(api.GET('/v1/analytics/links', { params: { query } })), [JSON.stringify(query)]);
  return (
    <>
      <PageHeader title="Links" />
      <form
        className="filters"
        aria-label="Which links"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ scope, value: value.trim() });
        }}
      >
        <label>
          For
          <select
            value={scope}
            onChange={(e) => {
              setScope(e.target.value as Scope);
              setValue('');
            }}
          >
            <option value="all">every email</option>
            <option value="email">one email</option>
            <option value="tag">a tag</option>
            <option value="domain">a domain</option>
          </select>
        </label>
        {scope === 'email' ? (
          <label>
            Email id
            <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="0193…" />
          </label>
        ) : null}
        {scope === 'tag' ? (
          <label>
            Tag
            <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="name:value" />
          </label>
        ) : null}
        {scope === 'domain' ? (
          <label>
            Domain
            <select value={value} onChange={(e) => setValue(e.target.value)}>
              <option value="">Choose…</option>
              {(domains.data?.data ?? []).map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="submit" className="button">
          Show
        </button>
      </form>
      <Card>
        <Async state={links} what="links">
          {(l) => <LinkTable rows={l.data} emptyTitle="No tracked link was clicked or sent for this choice" />}
        </Async>
      </Card>
    </>
  );
}
