// The one config.yml builder of the tests (in-process, child-process and reference registries):
// quiet logs, filesystem storage under the test's folder, deletes on, a loopback listener. Only
// keys distribution's config.yml also has appear in the base, so /usr/bin/docker-registry reads
// it too. Tests add lines under `http:` (TLS, debug) and whole top-level sections (auth, berth)
// instead of writing their own copy.
export interface TestYamlOptions {
  port?: number;
  /** The whole http.addr (e.g. 127.0.0.1:5000), instead of 127.0.0.1:<port>. */
  addr?: string;
  /** log.level; `error` by default. */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** Keep the access log (off by default). */
  accessLog?: boolean;
  deleteEnabled?: boolean;
  /** Storage root; `<root>/data` by default. */
  dataDir?: string;
  /** Lines under `storage:` instead of the filesystem driver (e.g. an `s3:` block), indented by two spaces. */
  storage?: string[];
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
    `  level: ${o.logLevel ?? 'error'}`,
    ...(o.accessLog ? [] : ['  accesslog:', '    disabled: true']),
    'storage:',
    ...(o.storage ?? ['  filesystem:', `    rootdirectory: ${o.dataDir ?? `${root}/data`}`]),
    '  delete:',
    `    enabled: ${o.deleteEnabled ?? true}`,
    'http:',
    `  addr: ${o.addr ?? `127.0.0.1:${o.port ?? 0}`}`,
    ...(o.http ?? []),
    ...(o.extra ?? []),
  ].join('\n');
}
