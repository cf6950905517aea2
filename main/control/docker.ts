// docker.*: the Docker setup wizard (main/docker-setup/wizard.ts). The wizard's options (home,
// dockerd pidfile, elevation) can be injected through ControlDeps.docker so tests point it at
// a private dockerd; DaemonJsonError (a broken daemon.json) becomes INVALID_ARGUMENT.
import { DaemonJsonError } from '../docker-setup/daemon-json';
import { applyDaemonChange, clientSnippets, detectDockerTargets, previewDaemonChange, type WizardOptions } from '../docker-setup/wizard';
import { invalid } from './errors';
import type { Handlers } from './types';

export function dockerHandlers(opts: WizardOptions = {}): Handlers<'docker'> {
  return {
    'docker.detect': () => detectDockerTargets(opts),
    'docker.preview': async (change) => {
      try {
        return await previewDaemonChange(change, opts);
      } catch (err) {
        if (err instanceof DaemonJsonError) throw invalid('target', err.message);
        throw err;
      }
    },
    'docker.apply': (change) => applyDaemonChange(change, opts),
    'docker.snippets': async ({ hostPort, tls }) => clientSnippets(hostPort, tls),
  };
}
