import { type ReactNode, useState } from 'react';
import { ApiFailure } from '../api/client';
import { whenParts } from '../format';

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children ? <div className="page-actions">{children}</div> : null}
    </header>
  );
}

export function Card({ title, children, className }: { title?: string; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ''}`}>
      {title ? <h2>{title}</h2> : null}
      {children}
    </section>
  );
}

export function Badge({ value }: { value: string | null }) {
  const text = value ?? 'none';
  return <span className={`badge badge-${text.replace(/[^a-z_]/g, '')}`}>{text.replace(/_/g, ' ')}</span>;
}

/** A time as when() writes it, breaking only between the date and the time on a narrow screen. */
export function When({ iso }: { iso: string | null | undefined }) {
  const parts = whenParts(iso);
  if (parts === null) return <>—</>;
  return (
    <time dateTime={iso!}>
      <span className="nowrap">{parts[0]},</span> <span className="nowrap">{parts[1]}</span>
    </time>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button small"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? 'Copied' : label}
    </button>
  );
}

/** Runs an action, showing it is busy and any API error it gets. */
export function useAction(): { busy: boolean; error: ApiFailure | null; run: (action: () => Promise<unknown>) => Promise<boolean>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | null>(null);
  return {
    busy,
    error,
    clear: () => setError(null),
    run: async (action) => {
      setBusy(true);
      setError(null);
      try {
        await action();
        return true;
      } catch (err) {
        setError(err instanceof ApiFailure ? err : new ApiFailure(0, 'client_error', String(err)));
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}

export function ActionError({ error }: { error: ApiFailure | null }) {
  if (!error) return null;
  return (
    <p className="inline-error" role="alert">
      <code>{error.code}</code> {error.message}
    </p>
  );
}

/** A secret shown once, with a warning and a copy button. */
export function ShownOnce({ label, secret }: { label: string; secret: string }) {
  return (
    <div className="shown-once" role="status">
      <p>
        <strong>{label}</strong> It is shown this once: copy it now.
      </p>
      <div className="secret-row">
        <code className="secret">{secret}</code>
        <CopyButton text={secret} />
      </div>
    </div>
  );
}
