// logs.recent: the Logs view's records, filtered here so the window receives only what it shows.
import { LOG_ENTRY_LEVELS, type LogEntry } from '../../preload/contract/logs';
import type { ControlDeps, Handlers } from './types';

const DEFAULT_LIMIT = 200;

export function logsHandlers(deps: ControlDeps): Handlers<'logs'> {
  return {
    'logs.recent': async ({ level, repository, limit = DEFAULT_LIMIT }) => {
      const worst = level ? LOG_ENTRY_LEVELS.indexOf(level) : LOG_ENTRY_LEVELS.length - 1;
      const under = repository ? `${repository}/` : undefined;
      const keep = (e: LogEntry) => LOG_ENTRY_LEVELS.indexOf(e.level) <= worst
        && (!repository || e.repository === repository || (e.repository?.startsWith(under!) ?? false));
      const entries: LogEntry[] = [];
      for (const e of deps.logs.recent()) {
        if (entries.length >= limit) break;
        if (keep(e)) entries.push(e);
      }
      return { entries, capacity: deps.logs.capacity, requestsRecorded: !deps.runtime.config.log.accesslog.disabled };
    },
  };
}
