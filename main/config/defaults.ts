// Defaults, as distribution applies them (docs/config.md lists each), plus Berth's own.
// Durations stay in Go syntax here so the docs and the code say the same thing.
import { availableParallelism } from 'node:os';

export const DEFAULTS = {
  logLevel: 'info',
  logFormatter: 'text',
  rootdirectory: '/var/lib/registry',
  maxthreads: 100,
  /** distribution's filesystem driver raises anything lower to this. */
  minMaxthreads: 25,
  blobdescriptorsize: 10000,
  uploadpurging: { enabled: true, age: '168h', interval: '24h', dryrun: false },
  /** registry:3 picks a random port when http.addr is empty; Berth listens on the usual one. */
  httpAddr: ':5000',
  prefix: '/',
  prometheusPath: '/metrics',
  minimumtls: 'tls1.2',
  healthInterval: '10s',
  catalogMaxEntries: 1000,
  proxyTtl: '168h',
  /** distribution hard-codes this limit for manifest bodies. */
  manifestMaxBytes: 4 * 1024 * 1024,
  catalogRescan: '60s',
  /** A verified password is trusted this long before bcrypt checks it again. */
  credentialCache: '5m',
  /** Request heads are small: a client that needs longer is stalled or hostile. */
  headersTimeout: '30s',
  /** Long enough for a slow link between chunks, short enough that dead sockets go. */
  idleTimeout: '120s',
  /** 8 kbit/s: slower than any link a registry is usable over, yet it cuts a 1 byte/s trickle. */
  minBodyRate: 1024,
  /** Averaged this long, so a stall of a few seconds on a real link never trips it. */
  minBodyRateWindow: '30s',
  /** Far above what a team's clients open (Docker uses a handful per pull or push). */
  maxConnections: 1024,
  /** A docker push opens at most 5 sessions at once (max-concurrent-uploads), so 20 parallel pushes per repository. */
  uploadsPerRepository: 100,
  /** 40 parallel pushes from one address (a CI host, or several behind one NAT). */
  uploadsPerClient: 200,
} as const;

/**
 * berth.auth.bcryptworkers: two threads keep a burst of logins from waiting long, and leave
 * a core to the event loop on bigger machines; one on a single core.
 */
export function defaultBcryptWorkers(): number {
  return Math.min(2, availableParallelism());
}
