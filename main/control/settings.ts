// settings.* and preferences.*: the home page's toggles. Each update is checked beyond what the
// config schema can know (certificate files exist and match, the upstream URL is set, the data
// folder can be created), applied live through the runtime, and the answer says whether the
// listener restarted.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { ApplyResult, Settings, SettingsPatch } from '../../preload/contract';
import { applySettingsPatch } from '../settings/apply-patch';
import { fileExists } from '../settings/settings-store';
import { settingsFromConfig } from '../settings/settings-from-config';
import { settingLabelOf } from '../settings/rows';
import type { RegistryConfig } from '../config/types';
import { listensOnLoopback } from '../config/listen-address';
import { ConfigAccess, type Applied } from './config-access';
import { invalid } from './errors';
import type { ControlDeps, Handlers } from './types';

export function settingsHandlers(deps: ControlDeps, access: ConfigAccess): Handlers<'settings'> & Handlers<'preferences'> {
  const view = (config: RegistryConfig): Settings => settingsFromConfig(config, access.defaults);
  const result = (applied: Applied): ApplyResult => ({
    settings: view(applied.config),
    restarted: applied.restarted,
    message: describe(applied, deps.runtime.state.status === 'running'),
  });

  return {
    'settings.get': async () => view((await access.load()).config),
    'settings.update': async (patch) => {
      const applied = await access.edit(async (doc, config) => {
        const current = view(config);
        await check(patch, current);
        applySettingsPatch(doc, patch, current);
      });
      return result(applied);
    },
    'settings.importConfig': async ({ yaml }) => {
      access.parse(yaml); // validated before anything changes (throws ConfigError → INVALID_ARGUMENT)
      return result(await access.replace(yaml));
    },
    'settings.exportConfig': async () => {
      // Secrets are write-only in the UI; the exported file says where the password goes.
      const { text } = await access.load();
      return { yaml: text.replace(/^(\s*password:\s*).+$/gm, '$1"<redacted>"') };
    },
    'preferences.get': async () => deps.preferences?.get(),
    'preferences.update': async (patch) => deps.preferences ? deps.preferences.update(patch) : undefined,
  };
}

/** What the schema cannot check: the state of files and the combination of fields. */
async function check(patch: SettingsPatch, current: Settings): Promise<void> {
  if (patch.shareOnNetwork !== undefined && current.port === 0 && patch.port === undefined) {
    throw invalid('shareOnNetwork', 'The registry listens on a unix socket (http.net: unix); set a port to listen on TCP first.');
  }
  if (patch.dataDir !== undefined && patch.dataDir !== current.dataDir) {
    try {
      await mkdir(patch.dataDir, { recursive: true });
    } catch (err) {
      throw invalid('dataDir', `Cannot use ${patch.dataDir} as the data folder: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`);
    }
  }
  const tls = { ...current.tls, ...patch.tls };
  if (patch.tls && tls.enabled) {
    for (const field of ['certificate', 'key'] as const) {
      if (!(await fileExists(tls[field]))) {
        throw invalid(`tls.${field}`, `There is no ${field} at ${tls[field]} yet. Generate a certificate on the Certificates page (or import one), then turn TLS on.`);
      }
    }
    try {
      // Loaded here, not at start: it brings node-forge (issue 15, idle memory).
      const { validateCertificatePair } = await import('../certs/validate');
      validateCertificatePair(await readFile(tls.certificate, 'utf8'), await readFile(tls.key, 'utf8'));
    } catch (err) {
      throw invalid('tls.certificate', `The certificate cannot be used: ${(err as Error).message}.`);
    }
  }
  const auth = { ...current.auth, ...patch.auth };
  if (patch.auth && auth.enabled && !(await fileExists(auth.htpasswdPath))) {
    // An empty users file: auth is on and nobody can log in until a user is added, which the
    // Users page does next. Refusing here would force adding users before turning auth on.
    try {
      await writeFile(auth.htpasswdPath, '', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw invalid('auth.htpasswdPath', `Cannot create the users file ${auth.htpasswdPath}.`);
    }
  }
  const proxy = { ...current.proxy, ...patch.proxy };
  if (patch.proxy && proxy.enabled && !proxy.remoteUrl) {
    throw invalid('proxy.remoteUrl', 'Proxy mode needs the upstream registry URL, e.g. https://registry-1.docker.io.');
  }
}

function describe(a: Applied, running: boolean): string {
  if (!a.changed) return 'Nothing changed.';
  if (a.restarted) {
    const labels = [...new Set(a.reasons.map((r) => settingLabelOf(r) ?? 'other settings'))];
    const reach = a.config.http.net !== 'tcp' ? '' : listensOnLoopback(a.config.http.addr) ? ' (this computer only)' : ' (shared on the network)';
    return `Restarted the registry to apply: ${labels.join(', ')}. It listens on port ${portOf(a.config)}${reach}.`;
  }
  return running ? 'Applied without restarting the registry.' : 'Saved. The registry uses it when it starts.';
}

function portOf(c: RegistryConfig): string {
  return c.http.addr.slice(c.http.addr.lastIndexOf(':') + 1);
}
