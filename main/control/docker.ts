// docker.*: the Docker setup wizard (main/docker-setup/wizard.ts). The wizard's options (home,
// dockerd pidfile, elevation) can be injected through ControlDeps.docker so tests point it at
// a private dockerd. A target that is not a detected daemon.json (TargetError) and a broken
// daemon.json (DaemonJsonError) become INVALID_ARGUMENT on `target`.
import { DaemonJsonError } from '../docker-setup/daemon-json';
import { TargetError } from '../docker-setup/detect';
import { applyDaemonChange, clientSnippets, detectDockerTargets, previewDaemonChange, type WizardOptions } from '../docker-setup/wizard';
import type { MirrorUpstream } from '../../preload/contract';
import type { ConfigAccess } from './config-access';
import { invalid } from './errors';
import type { Handlers } from './types';

export function dockerHandlers(opts: WizardOptions = {}, access?: ConfigAccess): Handlers<'docker'> {
  // In proxy mode the snippets include a containerd mirror file for every upstream.
  const upstreams = async (): Promise<MirrorUpstream[]> => {
    if (!access) return [];
    const { config } = await access.load();
    return [
      ...(config.proxy ? [{ url: config.proxy.remoteurl }] : []),
      ...config.berth.proxy.upstreams.map((u) => ({ registry: u.prefix, url: u.remoteurl })),
    ];
  };
  return {
    'docker.detect': () => detectDockerTargets(opts),
    'docker.preview': (change) => targetErrors(() => previewDaemonChange(change, opts)),
    'docker.apply': (change) => targetErrors(() => applyDaemonChange(change, opts)),
    'docker.snippets': async ({ hostPort, tls }) => clientSnippets(hostPort, tls, await upstreams()),
  };
}

async function targetErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof TargetError || err instanceof DaemonJsonError) throw invalid('target', err.message);
    throw err;
  }
}
