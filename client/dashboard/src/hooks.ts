/** Loading a page's data, optionally refreshed every few seconds, without painting a stale answer. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { messageOf } from './format';

export interface Loaded<T> {
  data?: T;
  /** The first load failed (nothing to show). */
  error?: string;
  /** A later refresh failed: the last data stays, with this said beside it. */
  refreshError?: string;
  at?: Date;
  reload(): Promise<void>;
}

/** `load` runs when `key` changes and every `pollSeconds` (when given); answers of an older load are dropped. */
export function useLoad<T>(load: () => Promise<T>, key: string, pollSeconds?: number): Loaded<T> {
  const [state, setState] = useState<Omit<Loaded<T>, 'reload'>>({});
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(async () => {
    const n = ++seq.current;
    try {
      const data = await loadRef.current();
      if (n === seq.current) setState({ data, at: new Date() });
    } catch (e) {
      if (n === seq.current) setState((s) => (s.data ? { ...s, refreshError: messageOf(e) } : { error: messageOf(e) }));
    }
  }, []);
  useEffect(() => {
    setState({});
    void reload();
    const timer = pollSeconds ? window.setInterval(() => void reload(), pollSeconds * 1000) : undefined;
    return () => {
      seq.current++;
      if (timer !== undefined) window.clearInterval(timer);
    };
  }, [key, pollSeconds, reload]);
  return { ...state, reload };
}
