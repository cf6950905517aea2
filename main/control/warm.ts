// warm.list and warm.fetchNow: the kept-warm mirror of a proxy (registry/proxy/warm-mirror.ts).
// A registry that is not a proxy answers an empty list saying so, so the window can explain why
// its entries do nothing.
import type { WarmList } from '../../preload/contract/warm';
import { WarmNotListedError } from '../registry/proxy/warm-mirror';
import { ControlFailure, notRunning } from './errors';
import type { ControlDeps, Handlers } from './types';

export function warmHandlers(deps: ControlDeps): Handlers<'warm'> {
  const notProxy = (): WarmList => ({ proxy: false, intervalMs: deps.runtime.config.berth.proxy.warm.intervalMs, entries: [] });
  return {
    'warm.list': async () => {
      const r = deps.runtime.registry;
      if (!r) throw notRunning();
      return r.proxy?.warm.list() ?? notProxy();
    },
    'warm.fetchNow': async ({ image }) => {
      const r = deps.runtime.registry;
      if (!r) throw notRunning();
      if (!r.proxy) throw new ControlFailure('UNAVAILABLE', 'The registry is not a proxy, so it keeps no images warm.');
      try {
        return await r.proxy.warm.fetchNow(image);
      } catch (err) {
        if (err instanceof WarmNotListedError) throw new ControlFailure('NOT_FOUND', `${err.image} is not in the kept-warm list.`);
        throw err;
      }
    },
  };
}
