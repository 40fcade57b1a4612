import { type MouseEvent, type ReactNode, createContext, useContext, useEffect, useState } from 'react';

/** A small history router: the path is the state, links push it, back and forward restore it. */
const RouteContext = createContext<{ path: string; search: URLSearchParams; go: (to: string) => void }>({
  path: '/',
  search: new URLSearchParams(),
  go: () => {},
});

export function Router({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState(() => ({ path: window.location.pathname, search: window.location.search }));
  useEffect(() => {
    const onPop = () => setLocation({ path: window.location.pathname, search: window.location.search });
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go = (to: string) => {
    const url = new URL(to, window.location.origin);
    window.history.pushState(null, '', url.pathname + url.search);
    setLocation({ path: url.pathname, search: url.search });
    window.scrollTo(0, 0);
  };
  return <RouteContext.Provider value={{ path: location.path, search: new URLSearchParams(location.search), go }}>{children}</RouteContext.Provider>;
}

export function useRoute() {
  return useContext(RouteContext);
}

/** The path's parameters when it matches the pattern (`/emails/:id`), else null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(got[i]!);
    else if (w !== got[i]) return null;
  }
  return params;
}

export function Link({ to, children, className, ariaCurrent }: { to: string; children: ReactNode; className?: string; ariaCurrent?: boolean }) {
  const { go } = useRoute();
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    go(to);
  };
  return (
    <a href={to} onClick={onClick} className={className} aria-current={ariaCurrent ? 'page' : undefined}>
      {children}
    </a>
  );
}
