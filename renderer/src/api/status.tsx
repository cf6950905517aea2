// The registry's state for the whole window: loaded once, then kept current by the core's
// events (IPC or server-sent events). `revision` changes on every event, so pages that show
// counts or settings can refetch when the registry restarts.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { RegistryStatus } from '../../../preload/contract';
import { invoke } from './control';
import { transport } from './transport';

interface StatusValue {
  status: RegistryStatus | undefined;
  revision: number;
  /** After a call that returns a status (start/stop) or changes settings. */
  update(next?: RegistryStatus): void;
}

const StatusContext = createContext<StatusValue>({ status: undefined, revision: 0, update: () => {} });

export function StatusProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<RegistryStatus>();
  const [revision, setRevision] = useState(0);

  const refresh = useCallback(() => {
    invoke('registry.status', {}).then(setStatus, () => undefined);
  }, []);

  useEffect(() => {
    refresh();
    return transport().onEvent((event) => {
      if (event.type === 'status') {
        setStatus(event.status);
        setRevision((r) => r + 1);
      }
    });
  }, [refresh]);

  const update = useCallback((next?: RegistryStatus) => {
    if (next) setStatus(next);
    else refresh();
    setRevision((r) => r + 1);
  }, [refresh]);

  return <StatusContext.Provider value={{ status, revision, update }}>{children}</StatusContext.Provider>;
}

export function useRegistryStatus(): StatusValue {
  return useContext(StatusContext);
}
