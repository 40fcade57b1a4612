import { useEffect, useState } from 'react';
import { type ApiKey, api, call, whenSignedOut } from './api/client';
import { Layout } from './components/layout';
import { Loading } from './components/states';
import { ApiKeys } from './pages/api-keys';
import { DomainDetail } from './pages/domain-detail';
import { Domains } from './pages/domains';
import { EmailDetail } from './pages/email-detail';
import { Emails } from './pages/emails';
import { Exports } from './pages/exports';
import { Links } from './pages/links';
import { Overview } from './pages/overview';
import { SignIn } from './pages/sign-in';
import { WebhookDetail } from './pages/webhook-detail';
import { Webhooks } from './pages/webhooks';
import { Link, match, useRoute } from './router';
import { SessionContext } from './session';

const TITLES: Array<[string, string]> = [
  ['/', 'Overview'],
  ['/emails', 'Emails'],
  ['/emails/:id', 'Email'],
  ['/links', 'Links'],
  ['/domains', 'Domains'],
  ['/domains/:id', 'Domain'],
  ['/webhooks', 'Webhooks'],
  ['/webhooks/:id', 'Webhook endpoint'],
  ['/exports', 'Exports'],
  ['/api-keys', 'API keys'],
];

function Page() {
  const { path } = useRoute();
  const title = TITLES.find(([p]) => match(p, path))?.[1];
  useEffect(() => {
    document.title = title ? `${title} · Waymark` : 'Not found · Waymark';
  }, [title]);
  let params: Record<string, string> | null;
  if (path === '/' || path === '') return <Overview />;
  if (match('/emails', path)) return <Emails />;
  if ((params = match('/emails/:id', path))) return <EmailDetail id={params.id!} />;
  if (match('/links', path)) return <Links />;
  if (match('/domains', path)) return <Domains />;
  if ((params = match('/domains/:id', path))) return <DomainDetail id={params.id!} />;
  if (match('/webhooks', path)) return <Webhooks />;
  if ((params = match('/webhooks/:id', path))) return <WebhookDetail id={params.id!} />;
  if (match('/exports', path)) return <Exports />;
  if (match('/api-keys', path)) return <ApiKeys />;
  return (
    <div className="state">
      <h1>Page not found</h1>
      <Link to="/">Back to the overview</Link>
    </div>
  );
}

export function App() {
  const [session, setSession] = useState<{ state: 'checking' } | { state: 'out' } | { state: 'in'; key: ApiKey }>({ state: 'checking' });
  useEffect(() => {
    whenSignedOut(() => setSession({ state: 'out' }));
    call(api.GET('/v1/session')).then(
      (s) => setSession({ state: 'in', key: s.api_key as ApiKey }),
      () => setSession({ state: 'out' }),
    );
  }, []);
  if (session.state === 'checking') return <Loading what="Waymark" />;
  if (session.state === 'out') return <SignIn onSignedIn={(key) => setSession({ state: 'in', key })} />;
  const signOut = () => {
    void api.DELETE('/v1/session').finally(() => setSession({ state: 'out' }));
  };
  return (
    <SessionContext.Provider value={{ key: session.key, signOut }}>
      <Layout>
        <Page />
      </Layout>
    </SessionContext.Provider>
  );
}
