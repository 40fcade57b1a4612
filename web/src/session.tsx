import { createContext, useContext } from 'react';
import type { ApiKey } from './api/client';

/** The key the dashboard is signed in with: its role decides what is offered. */
export const SessionContext = createContext<{ key: ApiKey; signOut: () => void } | null>(null);

export function useSession() {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return { ...session, isAdmin: session.key.role === 'admin' };
}
