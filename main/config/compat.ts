// Keys registry:3 understands but Berth does not implement. A key that would change what the
// registry does (another storage backend, token auth, webhooks…) is an error: starting anyway
// would silently behave differently from registry:3. A key that only affects side channels
// (mail log hooks, Redis as a cache, h2c) is accepted with a warning.
import type { ConfigFile } from './schema';
import { isEmpty, NOT_IN_BERTH, type Report } from './report';

const CLIENT_AUTH_MODES = [
  'request-client-cert',
  'require-any-client-cert',
  'verify-client-cert-if-given',
  'require-and-verify-client-cert',
];

const asRecord = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export function checkCompat(file: ConfigFile, report: Report): void {
  const storage = file.storage ?? {};
  for (const driver of ['gcs', 'azure'] as const) {
    if (Object.hasOwn(storage, driver)) {
      report.error(`storage.${driver}`, `the ${driver} storage driver ${NOT_IN_BERTH}`, 'use storage.filesystem or storage.s3');
    }
  }

  const auth = file.auth ?? {};
  for (const kind of ['token', 'silly'] as const) {
    if (Object.hasOwn(auth, kind)) {
      report.error(`auth.${kind}`, `${kind} authentication ${NOT_IN_BERTH}`, 'use auth.htpasswd');
    }
  }

  if (!isEmpty(file.middleware)) {
    report.error('middleware', `middleware (cloudfront, redirect, rewrite…) ${NOT_IN_BERTH}`);
  }

  const endpoints = asRecord(file.notifications).endpoints;
  const active = Array.isArray(endpoints) ? endpoints.filter((e) => asRecord(e).disabled !== true) : [];
  if (active.length > 0) {
    report.error('notifications.endpoints', `sending webhook notifications ${NOT_IN_BERTH}`, 'remove the endpoints or set disabled: true');
  } else if (!isEmpty(file.notifications)) {
    report.warn('notifications', 'ignored: no active endpoints, and Berth does not send notifications');
  }

  if (!isEmpty(file.reporting)) report.warn('reporting', 'ignored: Berth does not report errors to Bugsnag or New Relic');
  if (!isEmpty(file.compatibility)) report.warn('compatibility', 'ignored: schema1 manifests are not supported (registry:3 removed them too)');

  const classes = asRecord(asRecord(file.policy).repository).classes;
  if (!isEmpty(classes)) report.error('policy.repository.classes', `the repository class policy ${NOT_IN_BERTH}`);
  else if (!isEmpty(file.policy)) report.warn('policy', 'ignored: no policy is set');

  const health = file.health ?? {};
  for (const kind of ['file', 'http', 'tcp'] as const) {
    if (!isEmpty(health[kind])) report.error(`health.${kind}`, `the ${kind} health check ${NOT_IN_BERTH}`, 'only health.storagedriver is available');
  }

  if (!isEmpty(file.proxy?.exec)) {
    report.error('proxy.exec', `an upstream credential helper ${NOT_IN_BERTH}`, 'use proxy.username and proxy.password');
  }

  const hooks = file.log?.hooks;
  if (Array.isArray(hooks) ? hooks.some((h) => asRecord(h).disabled !== true) : !isEmpty(hooks)) {
    report.warn('log.hooks', 'ignored: Berth does not send log lines by mail');
  }
  if (file.log?.reportcaller) report.warn('log.reportcaller', 'ignored: Berth does not add the calling function to log lines');

  const http = file.http ?? {};
  if (http.h2c?.enabled) report.warn('http.h2c.enabled', 'ignored: Berth does not serve cleartext HTTP/2; clients use HTTP/1.1');

  const tls = http.tls ?? {};
  const letsencrypt = asRecord(tls.letsencrypt);
  if (!isEmpty(letsencrypt.cachefile)) {
    report.error('http.tls.letsencrypt', `getting certificates from Let's Encrypt ${NOT_IN_BERTH}`, 'set http.tls.certificate and http.tls.key');
  } else if (!isEmpty(tls.letsencrypt)) {
    report.warn('http.tls.letsencrypt', 'ignored: without cachefile Let\'s Encrypt is off (as in registry:3)');
  }
  const clientauth = tls.clientauth;
  if (clientauth) {
    if (!CLIENT_AUTH_MODES.includes(clientauth)) {
      report.error('http.tls.clientauth', `unknown client authentication mode ${JSON.stringify(clientauth)}`, `one of ${CLIENT_AUTH_MODES.join(', ')}`);
    } else if (clientauth !== 'require-and-verify-client-cert') {
      report.error('http.tls.clientauth', `clientauth ${clientauth} ${NOT_IN_BERTH}`, 'Berth always requires and verifies client certificates when clientcas is set');
    }
  }
}
