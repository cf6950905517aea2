// The last log records kept in memory for the Logs view, whatever the configured log level or
// output: a ring of fixed capacity, so a busy registry uses the same memory as an idle one.
//
// A record keeps only fields known to carry no secrets (repository, method, path, status,
// duration, an error's first line); paths lose their query string, and anything that looks like
// a credential in a message is masked. Callers never pass secrets to the logger anyway
// (logger.ts); this is the second line, because the ring is shown to whoever opens the window.
import { LOG_ENTRY_LEVELS, type LogEntry, type LogEntryLevel } from '../../preload/contract/logs';
import type { LogFields, Logger, LogLevel } from './logger';

export const DEFAULT_LOG_RING_CAPACITY = 1000;

// A record's text is for a table cell; a stack or a long URL is cut.
const MAX_TEXT = 500;

export class LogRing {
  private readonly slots: Array<LogEntry | undefined>;
  private next = 0;
  private seq = 0;

  constructor(readonly capacity = DEFAULT_LOG_RING_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`log ring capacity must be a positive integer, got ${capacity}`);
    this.slots = new Array<LogEntry | undefined>(capacity);
  }

  /** Records one log call; debug records are not kept (they are the noisy ones). */
  add(level: LogLevel, message: string, fields: LogFields = {}, time = new Date()): void {
    if (level === 'debug') return;
    this.slots[this.next] = toEntry(++this.seq, time, level, message, fields);
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first. */
  recent(): LogEntry[] {
    const out: LogEntry[] = [];
    for (let i = 1; i <= this.capacity; i++) {
      const e = this.slots[(this.next - i + this.capacity) % this.capacity];
      if (!e) break;
      out.push(e);
    }
    return out;
  }
}

/** A logger that writes through `inner` and records every call in `ring`, below inner's level too. */
export function recordingLogger(inner: Logger, ring: LogRing, base: LogFields = {}): Logger {
  const both = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (level !== 'debug') ring.add(level, msg, { ...base, ...fields });
    inner[level](msg, fields);
  };
  return {
    error: both('error'),
    warn: both('warn'),
    info: both('info'),
    debug: both('debug'),
    child: (fields) => recordingLogger(inner.child(fields), ring, { ...base, ...fields }),
  };
}

/** The severity a view shows: a request's follows its status, so failed requests stand out. */
function entryLevel(level: Exclude<LogLevel, 'debug'>, status: number | undefined): LogEntryLevel {
  const byStatus: LogEntryLevel | undefined = status === undefined ? undefined : status >= 500 ? 'error' : status >= 400 ? 'warn' : undefined;
  if (!byStatus) return level;
  return LOG_ENTRY_LEVELS.indexOf(byStatus) < LOG_ENTRY_LEVELS.indexOf(level) ? byStatus : level;
}

function toEntry(seq: number, time: Date, level: Exclude<LogLevel, 'debug'>, message: string, f: LogFields): LogEntry {
  const status = typeof f['status'] === 'number' && Number.isInteger(f['status']) ? f['status'] : undefined;
  const rawPath = typeof f['path'] === 'string' ? f['path'] : typeof f['url'] === 'string' ? f['url'] : undefined;
  const error = f['error'] instanceof Error ? f['error'].message : typeof f['error'] === 'string' ? f['error'] : undefined;
  const entry: LogEntry = { seq, time: time.toISOString(), level: entryLevel(level, status), message: clean(message) };
  if (typeof f['repository'] === 'string') entry.repository = clean(f['repository']);
  if (typeof f['method'] === 'string' && /^[A-Z]{1,16}$/.test(f['method'])) entry.method = f['method'];
  if (rawPath !== undefined) entry.path = clean(rawPath.split(/[?#]/, 1)[0]!);
  if (status !== undefined) entry.status = status;
  if (typeof f['durationMs'] === 'number' && Number.isFinite(f['durationMs'])) entry.durationMs = Math.round(f['durationMs'] * 10) / 10;
  if (error) entry.detail = clean(error.split('\n', 1)[0]!);
  return entry;
}

// Credentials as they could appear in text: an Authorization value, a URL's user:password@,
// and key=value / key: value pairs whose key names a secret.
const SECRETS: Array<[RegExp, string]> = [
  [/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]*:[^/\s@]*@/gi, '$1[redacted]@'],
  [/\b(password|passwd|secret|token|access_token|refresh_token|authorization|_state)(["']?\s*[=:]\s*["']?)[^\s&"',;]+/gi, '$1$2[redacted]'],
];

function clean(text: string): string {
  let out = text;
  for (const [re, replacement] of SECRETS) out = out.replace(re, replacement);
  return out.length > MAX_TEXT ? `${out.slice(0, MAX_TEXT)}…` : out;
}
