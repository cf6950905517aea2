// One row per log entry: a request as "METHOD path → status", anything else as its message.
import type { LogEntry, LogEntryLevel } from '../../../../preload/contract';
import { href } from '../../lib/router';

const BADGE: Record<LogEntryLevel, { className: string; label: string }> = {
  error: { className: 'badge badge-danger', label: 'error' },
  warn: { className: 'badge badge-warning', label: 'warning' },
  info: { className: 'badge badge-muted', label: 'info' },
};

function clock(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function LogTable({ entries }: { entries: LogEntry[] }) {
  return (
    <table className="table log-table" aria-label="Log entries">
      <thead>
        <tr><th scope="col">Time</th><th scope="col">Level</th><th scope="col">Entry</th><th scope="col" className="num">Status</th><th scope="col" className="num">Duration</th><th scope="col">Repository</th></tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.seq} data-level={e.level}>
            <td className="nowrap"><time dateTime={e.time} title={e.time}>{clock(e.time)}</time></td>
            <td><span className={BADGE[e.level].className}>{BADGE[e.level].label}</span></td>
            <td className="wrap">
              {e.method && e.path ? <span className="mono">{e.method} {e.path}</span> : e.message}
              {e.detail ? <span className="muted"> — {e.detail}</span> : null}
            </td>
            <td className="num">{e.status ?? ''}</td>
            <td className="num muted">{e.durationMs !== undefined ? `${e.durationMs} ms` : ''}</td>
            <td>{e.repository ? <a href={href({ page: 'catalog', repository: e.repository })} className="mono">{e.repository}</a> : null}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
