// The Logs view: the registry's recent requests, warnings and errors, kept in memory by the core
// (a bounded ring; nothing is written for it). Records carry no secrets: only the fields below
// are kept, query strings are dropped and credentials in messages are masked.

/** Most to least severe. A request's level follows its status: 5xx error, 4xx warn, else info. */
export const LOG_ENTRY_LEVELS = ['error', 'warn', 'info'] as const;
export type LogEntryLevel = (typeof LOG_ENTRY_LEVELS)[number];

export interface LogEntry {
  /** Increases by one per record, so a view can tell what is new. */
  seq: number;
  /** ISO 8601. */
  time: string;
  level: LogEntryLevel;
  /** "request" for the access log; otherwise the warning or error. */
  message: string;
  repository?: string;
  method?: string;
  /** Without the query string. */
  path?: string;
  status?: number;
  durationMs?: number;
  /** The first line of an error's description, when the record has one. */
  detail?: string;
}

export interface RecentLogs {
  /** Newest first. */
  entries: LogEntry[];
  /** How many records the core keeps at most; older ones are dropped. */
  capacity: number;
  /** False when config.yml turns the access log off (log.accesslog.disabled): no requests are recorded then. */
  requestsRecorded: boolean;
}

export interface LogsMethods {
  /**
   * `level`: that level and the more severe ones. `repository`: that repository and the ones
   * under it (`team` matches `team/app`). `limit`: at most this many (default 200).
   */
  'logs.recent': { args: { level?: LogEntryLevel; repository?: string; limit?: number }; result: RecentLogs };
}
