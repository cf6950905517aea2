// Logs: the registry's recent requests, warnings and errors (logs.recent), filtered by level and
// repository in the core. While "Follow" is on, the page asks again every two seconds, and not
// while the window is hidden.
import { useEffect, useId, useState } from 'react';
import type { LogEntryLevel } from '../../../../preload/contract';
import { repositoryNameProblem } from '../../../../preload/contract/repository-name';
import { useCall, useDebounced } from '../../api/hooks';
import { Card, Loading } from '../../components/Card';
import { ErrorNotice, Notice } from '../../components/Notice';
import { Toggle } from '../../components/Toggle';
import { LogTable } from './LogTable';

const FOLLOW_MS = 2_000;
const LIMIT = 500;

const LEVELS: Array<{ value: LogEntryLevel | ''; label: string }> = [
  { value: '', label: 'All levels' },
  { value: 'warn', label: 'Warnings and errors' },
  { value: 'error', label: 'Errors only' },
];

export function LogsPage() {
  const levelId = useId();
  const repoId = useId();
  const [level, setLevel] = useState<LogEntryLevel | ''>('');
  const [repository, setRepository] = useState('');
  const [follow, setFollow] = useState(true);
  const [tick, setTick] = useState(0);
  const query = useDebounced(repository.trim(), 250);
  const problem = query ? repositoryNameProblem(query) : undefined;

  useEffect(() => {
    if (!follow) return;
    const timer = setInterval(() => { if (!document.hidden) setTick((t) => t + 1); }, FOLLOW_MS);
    return () => clearInterval(timer);
  }, [follow]);

  const logs = useCall('logs.recent', { ...(level ? { level } : {}), ...(query && !problem ? { repository: query } : {}), limit: LIMIT },
    { skip: !!problem, refreshKey: tick });
  const data = logs.data;

  return (
    <div className="page">
      <h1>Logs</h1>
      <p className="lead">Recent requests, warnings and errors of this registry, kept in memory since Berth started. Passwords, tokens and Authorization headers are never recorded.</p>
      <Card title="Recent entries"
        description={data ? `Newest first; the last ${data.capacity.toLocaleString()} entries are kept. A request answered with 4xx shows as a warning, 5xx as an error.` : undefined}
        actions={<button type="button" className="btn btn-small" onClick={logs.reload}>Refresh</button>}>
        <div className="toolbar">
          <div className="field">
            <label htmlFor={levelId}>Level</label>
            <select id={levelId} value={level} onChange={(e) => setLevel(e.target.value as LogEntryLevel | '')}>
              {LEVELS.map((l) => <option key={l.value} value={l.value}>{l.label}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor={repoId}>Repository</label>
            <input id={repoId} type="search" className="search" placeholder="All repositories" value={repository} spellCheck={false}
              aria-describedby={problem ? `${repoId}-problem` : undefined} aria-invalid={problem ? true : undefined}
              onChange={(e) => setRepository(e.target.value)} />
          </div>
          <Toggle label="Follow" description="Ask for new entries every 2 s" checked={follow} onChange={setFollow} />
        </div>
        {problem ? <p className="field-error" id={`${repoId}-problem`}>{problem}</p> : null}
        {data && !data.requestsRecorded ? (
          <Notice kind="warning">Requests are not recorded: the access log is off (<span className="mono">log.accesslog.disabled</span> in config.yml). Warnings and errors still are.</Notice>
        ) : null}
        <ErrorNotice error={logs.error} />
        {problem ? null : !data ? (logs.error ? null : <Loading what="log entries" />) : data.entries.length === 0 ? (
          <p className="muted">{level || query ? 'No entry matches these filters.' : 'Nothing logged yet.'}</p>
        ) : (
          <LogTable entries={data.entries} />
        )}
      </Card>
    </div>
  );
}
