// The one minimal config.yml the in-process tests start from: quiet logs, filesystem storage
// under the test's folder, deletes on, a loopback listener. Tests add lines under `http:` (TLS,
// debug) and whole top-level sections (auth, berth) instead of writing their own copy.
export interface TestYamlOptions {
  port?: number;
  deleteEnabled?: boolean;
  /** Storage root; `<root>/data` by default. */
  dataDir?: string;
  /** Lines under `http:` after `addr`, already indented by two spaces. */
  http?: string[];
  /** Top-level lines appended at the end (keys must not repeat the ones above). */
  extra?: string[];
  /** A comment for the first line (config edits must keep it). */
  comment?: string;
}

export function testRegistryYaml(root: string, o: TestYamlOptions = {}): string {
  return [
    ...(o.comment ? [`# ${o.comment}`] : []),
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${o.dataDir ?? `${root}/data`}`,
    '  delete:',
    `    enabled: ${o.deleteEnabled ?? true}`,
    'http:',
    `  addr: 127.0.0.1:${o.port ?? 0}`,
    ...(o.http ?? []),
    ...(o.extra ?? []),
  ].join('\n');
}
