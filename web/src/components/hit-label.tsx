import type { EmailEvent } from '../api/client';
import { RULES } from '../../../src/core/classification/rules';

export type Classification = NonNullable<EmailEvent['classification']>;
export type Proxy = NonNullable<EmailEvent['proxy']>;

/** What a user reads for each label: a person, or the kind of machine. */
export const CLASSIFICATION_NAMES: Record<Classification, string> = {
  human: 'Person',
  apple_mpp: 'Apple MPP',
  security_scanner: 'Scanner',
  link_preview: 'Link preview',
  prefetch: 'Prefetch',
  other_machine: 'Machine',
};

const PROXY_NAMES: Record<Proxy, string> = {
  google: 'Gmail',
  yahoo: 'Yahoo Mail',
  microsoft: 'Microsoft',
  apple: 'Apple',
  other: 'a proxy',
};

// The rules' own descriptions, from the classifier: the dashboard explains what the server decided with.
const RULE_DECIDES = new Map<string, string>(RULES.map((r) => [r.id, r.decides]));

/** An open's or click's label: a badge (person or kind of machine), the proxy it came through and, on request, why. */
export function HitLabel({ event }: { event: Pick<EmailEvent, 'classification' | 'proxy' | 'signals'> }) {
  const { classification, proxy, signals } = event;
  if (classification === null) return null;
  const human = classification === 'human';
  return (
    <>
      <span
        className={`badge ${human ? 'badge-human' : 'badge-machine'}`}
        data-classification={classification}
        title={signals === null ? 'Recorded before labelling: counted as a person’s until the events are reclassified' : undefined}
      >
        {CLASSIFICATION_NAMES[classification]}
      </span>
      {proxy !== null ? <span className="muted small nowrap">via {PROXY_NAMES[proxy]}</span> : null}
    </>
  );
}

/** The signals behind a label: the rules that decided (with what each one decides), the method, the IP list. */
export function HitSignals({ signals }: { signals: EmailEvent['signals'] }) {
  // No rule at all: a person's, straight from their client; there is nothing more to say.
  if (signals === null || signals.rules.length === 0) return null;
  return (
    <details className="why">
      <summary>Why this label</summary>
      <ul>
        {signals.rules.map((id) => (
          <li key={id}>
            <code>{id}</code> {RULE_DECIDES.get(id) ?? ''}
          </li>
        ))}
      </ul>
      <p className="muted">
        {signals.method} request · IP list: {signals.ip_list ?? 'none'} · classifier version {signals.version}
      </p>
    </details>
  );
}
