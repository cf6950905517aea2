// Two small hooks over `invoke`: one loads data when its arguments change, one runs an action
// and keeps its busy flag, error and result for the form that started it.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ArgsOf, ControlError, ControlMethod, ResultOf } from '../../../preload/contract';
import { invoke, toControlError } from './control';

export interface Loaded<T> {
  data: T | undefined;
  error: ControlError | undefined;
  loading: boolean;
  reload(): void;
}

export function useCall<M extends ControlMethod>(method: M, args: ArgsOf<M>, opts: { skip?: boolean; refreshKey?: unknown } = {}): Loaded<ResultOf<M>> {
  const key = JSON.stringify(args);
  const [data, setData] = useState<ResultOf<M>>();
  const [error, setError] = useState<ControlError>();
  const [loading, setLoading] = useState(!opts.skip);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    if (opts.skip) return;
    let live = true;
    setLoading(true);
    invoke(method, JSON.parse(key) as ArgsOf<M>).then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (!live) return;
        setError(toControlError(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [method, key, tick, opts.skip, opts.refreshKey]);

  return { data, error, loading, reload };
}

export interface Action<A extends unknown[], R> {
  run(...args: A): Promise<R | undefined>;
  busy: boolean;
  error: ControlError | undefined;
  result: R | undefined;
  reset(): void;
}

export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>): Action<A, R> {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ControlError>();
  const [result, setResult] = useState<R>();
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      const value = await fnRef.current(...args);
      setResult(value);
      return value;
    } catch (err) {
      setError(toControlError(err));
      setResult(undefined);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const reset = useCallback(() => {
    setError(undefined);
    setResult(undefined);
  }, []);
  return { run, busy, error, result, reset };
}

/** A value that follows `value` after it has stopped changing for `ms` (filter inputs). */
export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}
