// The control service: every method of the control contract over the runtime and the core's
// services. Each face calls `call(method, args)` — IPC in the desktop app, HTTP in console mode,
// tests directly — and gets a ControlResult; arguments are validated here, once, for all of them.
import type { ArgsOf, ControlEvent, ControlMethod, ControlResult, ResultOf } from '../../preload/contract';
import { Emitter, type Disposable, type Event } from '../lib/events';
import { type AddressSources } from './addresses';
import { archivesHandlers } from './archives';
import { catalogHandlers } from './catalog';
import { certsHandlers } from './certs';
import { ConfigAccess } from './config-access';
import { dockerHandlers } from './docker';
import { toControlError } from './errors';
import { registryHandlers } from './registry';
import { logsHandlers } from './logs';
import { isControlMethod, parseArgs } from './schemas';
import { settingsHandlers } from './settings';
import { storageHandlers } from './storage';
import { StorageStatsCache } from './storage-stats';
import type { ControlDeps } from './types';
import { usersHandlers } from './users';
import { warmHandlers } from './warm';

export interface ControlService extends Disposable {
  /** Validates `args` for `method` (both untrusted) and runs it. Never throws. */
  call(method: string, args: unknown): Promise<ControlResult<unknown>>;
  /** Typed convenience for callers inside the process (tests, the tray). */
  invoke<M extends ControlMethod>(method: M, args: ArgsOf<M>): Promise<ControlResult<ResultOf<M>>>;
  readonly onEvent: Event<ControlEvent>;
}

type AnyHandler = (args: unknown) => Promise<unknown>;

export function createControlService(deps: ControlDeps, opts: { addressSources?: AddressSources } = {}): ControlService {
  const access = new ConfigAccess(deps);
  const stats = new StorageStatsCache();
  const events = new Emitter<ControlEvent>();
  const handlers: Record<ControlMethod, AnyHandler> = {
    ...registryHandlers(deps, stats, opts.addressSources),
    ...settingsHandlers(deps, access),
    ...usersHandlers(access),
    ...certsHandlers(access),
    ...catalogHandlers(deps, stats, opts.addressSources),
    ...dockerHandlers(deps.docker, access),
    ...logsHandlers(deps),
    ...storageHandlers(deps),
    ...warmHandlers(deps),
    ...archivesHandlers(deps, (e) => events.fire(e)),
  } as Record<ControlMethod, AnyHandler>;

  const sub = deps.runtime.onDidChangeState((status) => {
    stats.invalidate();
    events.fire({ type: 'status', status });
  });

  const call = async (method: string, raw: unknown): Promise<ControlResult<unknown>> => {
    if (!isControlMethod(method)) return { ok: false, error: { code: 'NOT_FOUND', message: `No control method ${JSON.stringify(method).slice(0, 80)}.` } };
    const parsed = parseArgs(method, raw);
    if (!parsed.ok) return { ok: false, error: { code: 'INVALID_ARGUMENT', message: parsed.message, field: parsed.field } };
    try {
      return { ok: true, value: await handlers[method](parsed.args) };
    } catch (err) {
      return { ok: false, error: toControlError(err, deps.log, method) };
    }
  };

  return {
    call,
    invoke: (method, args) => call(method, args) as never,
    onEvent: events.event,
    dispose: () => sub.dispose(),
  };
}
