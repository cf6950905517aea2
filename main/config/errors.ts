// Configuration errors carry the dotted key path so the CLI, the desktop app and tests can
// point at the exact key, plus where it came from (file line or environment variable).

export interface ConfigProblem {
  /** Dotted key path, e.g. `http.tls.minimumtls`; '' for the whole file. */
  path: string;
  message: string;
  /** A suggestion, e.g. "did you mean `http.tls`?". */
  hint?: string;
  /** 1-based position of the key in the YAML file, when known. */
  line?: number;
  column?: number;
  /** The REGISTRY_* variable that set this key, when it came from the environment. */
  env?: string;
}

/** Renders one problem as `source:line:col: path: message (hint)`. */
export function formatProblem(source: string, p: ConfigProblem): string {
  let where = source;
  if (p.line !== undefined) where += `:${p.line}` + (p.column !== undefined ? `:${p.column}` : '');
  const key = p.path ? `${p.path}${p.env ? ` (from ${p.env})` : ''}: ` : p.env ? `${p.env}: ` : '';
  return `${where}: ${key}${p.message}${p.hint ? ` (${p.hint})` : ''}`;
}

export class ConfigError extends Error {
  /** Path of the first problem ('' when it concerns the whole file). */
  readonly path: string;
  readonly hint: string | undefined;
  /** The file name (or other label) the configuration was read from. */
  readonly source: string;
  /** Every problem found; the message lists them all so one run shows every mistake. */
  readonly problems: readonly ConfigProblem[];

  constructor(source: string, problems: ConfigProblem | ConfigProblem[]) {
    const list = Array.isArray(problems) ? problems : [problems];
    const first = list[0] ?? { path: '', message: 'invalid configuration' };
    const message =
      list.length <= 1
        ? formatProblem(source, first)
        : `${source}: ${list.length} configuration problems:\n` +
          list.map((p) => '  - ' + formatProblem(source, p)).join('\n');
    super(message);
    this.name = 'ConfigError';
    this.path = first.path;
    this.hint = first.hint;
    this.source = source;
    this.problems = list;
  }
}
