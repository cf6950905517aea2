// Defaults, as distribution applies them (docs/config.md lists each). Berth's own keys have
// theirs in the setting table (preload/contract/setting-table.ts).
// Durations stay in Go syntax here so the docs and the code say the same thing.
import { SETTING_ROWS } from '../../preload/contract/setting-table';

export const DEFAULTS = {
  logLevel: 'info',
  logFormatter: 'text',
  rootdirectory: '/var/lib/registry',
  maxthreads: 100,
  /** distribution's filesystem driver raises anything lower to this. */
  minMaxthreads: 25,
  blobdescriptorsize: 10000,
  /** registry:3's s3 driver: part sizes in bytes, the copy's parallelism. */
  s3: {
    chunksize: 10 * 1024 * 1024,
    minChunksize: 5 * 1024 * 1024,
    multipartcopychunksize: 32 * 1024 * 1024,
    multipartcopymaxconcurrency: 100,
    multipartcopythresholdsize: 32 * 1024 * 1024,
    storageclass: 'STANDARD',
    objectacl: 'private',
  },
  uploadpurging: { enabled: true, age: '168h', interval: '24h', dryrun: false },
  /** registry:3 picks a random port when http.addr is empty; Berth listens on the usual one. */
  httpAddr: ':5000',
  prefix: '/',
  prometheusPath: '/metrics',
  minimumtls: 'tls1.2',
  healthInterval: '10s',
  catalogMaxEntries: 1000,
} as const;

/** proxy.ttl's default, from its row in the setting table. */
export const PROXY_TTL = SETTING_ROWS.find((r) => r.path === 'proxy.ttl')!.default;
