import type { ReactNode } from 'react';
import type { ApiFailure } from '../api/client';

export function Loading({ what }: { what: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state empty">
      <strong>{title}</strong>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

/** An API error with its code and message, and a way to try again. */
export function ErrorState({ error, retry }: { error: ApiFailure; retry?: () => void }) {
  return (
    <div className="state error" role="alert">
      <strong>
        Error <code>{error.code}</code>
      </strong>
      <div>{error.message}</div>
      {retry ? (
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** Loading, error or the content, for one load. */
export function Async<T>({ state, what, children }: { state: { data: T | undefined; error: ApiFailure | null; loading: boolean; reload: () => void }; what: string; children: (data: T) => ReactNode }) {
  if (state.error) return <ErrorState error={state.error} retry={state.reload} />;
  if (state.data === undefined) return <Loading what={what} />;
  return <>{children(state.data)}</>;
}
