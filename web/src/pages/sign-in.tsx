import { type FormEvent, useState } from 'react';
import { type ApiKey, api, call } from '../api/client';
import { ActionError, useAction } from '../components/ui';

export function SignIn({ onSignedIn }: { onSignedIn: (key: ApiKey) => void }) {
  const [key, setKey] = useState('');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await action.run(async () => {
      const session = await call(api.POST('/v1/session', { body: { key: key.trim() } }));
      onSignedIn(session.api_key as ApiKey);
    });
  };
  return (
    <main className="sign-in" id="main">
      <form onSubmit={submit} className="card">
        <h1>Waymark</h1>
        <p className="muted">Sign in with an API key. An admin key can change everything; a member key can look.</p>
        <label htmlFor="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autoComplete="off" required value={key} onChange={(e) => setKey(e.target.value)} placeholder="wm_…" />
        <ActionError error={action.error} />
        <button type="submit" className="button primary" disabled={action.busy || key.trim() === ''}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">
          The first admin key is printed when Waymark first starts; <code>waymark keys create --role admin</code> makes another.
        </p>
      </form>
    </main>
  );
}
