import { type ReactNode, useState } from 'react';
import { Link, useRoute } from '../router';
import { useSession } from '../session';

const NAV = [
  { to: '/', label: 'Overview' },
  { to: '/emails', label: 'Emails' },
  { to: '/links', label: 'Links' },
  { to: '/domains', label: 'Domains' },
  { to: '/webhooks', label: 'Webhooks' },
  { to: '/exports', label: 'Exports' },
  { to: '/api-keys', label: 'API keys' },
];

export function Layout({ children }: { children: ReactNode }) {
  const { path } = useRoute();
  const { key, signOut } = useSession();
  const [open, setOpen] = useState(false);
  const current = (to: string) => (to === '/' ? path === '/' : path === to || path.startsWith(to + '/'));
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Waymark</span>
        <button type="button" className="menu-button" aria-expanded={open} aria-controls="nav" onClick={() => setOpen(!open)}>
          Menu
        </button>
      </header>
      <nav id="nav" className={`sidebar ${open ? 'open' : ''}`} aria-label="Main">
        <span className="brand">Waymark</span>
        <ul onClick={() => setOpen(false)}>
          {NAV.map((n) => (
            <li key={n.to}>
              <Link to={n.to} ariaCurrent={current(n.to)} className={current(n.to) ? 'active' : undefined}>
                {n.label}
              </Link>
            </li>
          ))}
        </ul>
        <div className="who">
          <span title={key.prefix + '…'}>
            {key.name} <span className="muted">({key.role})</span>
          </span>
          <button type="button" className="button small" onClick={signOut}>
            Sign out
          </button>
        </div>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
