import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiFailure } from './api/client';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiFailure | null;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when its inputs change (and on reload); only the latest answer is kept. */
export function useLoad<T>(load: () => Promise<T>, inputs: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: ApiFailure | null; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const ticket = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => ticket === latest.current && setState({ data, error: null, loading: false }),
      (err: unknown) =>
        ticket === latest.current &&
        setState({ data: undefined, error: err instanceof ApiFailure ? err : new ApiFailure(0, 'client_error', String(err)), loading: false }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...inputs, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}
