// How each kind of Docker picks up a daemon.json change. Both registry keys are reloadable, so
// on Linux a SIGHUP (what `systemctl reload docker` sends) applies them without stopping a single
// container; a restart stops containers unless live-restore is on. Docker Desktop's engine runs
// in a VM and has no reload: it must restart (Settings → Apply & restart, or `docker desktop restart`).
import { readFile } from 'node:fs/promises';
import type { DockerKind } from '../../preload/contract/docker-setup';
import type { ResolvedEnv } from './env';
import type { Op } from './privileged';

export type Then = 'reload' | 'restart' | 'later';

export interface ReloadPlan {
  ops: Op[];
  /** The ops need root (the system dockerd), unlike rootless or Desktop ones. */
  root: boolean;
  /** When Berth cannot do it: what the user should do instead. */
  note?: string;
  manual?: string[];
}

export async function reloadPlan(kind: DockerKind, then: Then, e: ResolvedEnv): Promise<ReloadPlan> {
  if (then === 'later') return { ops: [], root: false };
  if (kind === 'docker-desktop') {
    if (then === 'reload') {
      return {
        ops: [],
        root: false,
        note: 'Docker Desktop has no reload: restart Docker Desktop (Settings → Docker Engine → Apply & restart, or `docker desktop restart`) to apply the change',
        manual: ['docker desktop restart'],
      };
    }
    return { ops: [{ op: 'command', argv: ['docker', 'desktop', 'restart'], step: 'restarted' }], root: false };
  }
  const user = kind === 'linux-rootless' ? ['--user'] : [];
  if (then === 'reload') {
    const pid = await pidFrom(e.pidfile);
    if (pid) return { ops: [{ op: 'signal', pid, step: 'reloaded' }], root: kind === 'linux-rootful' && !e.isRoot };
    return { ops: [{ op: 'command', argv: ['systemctl', ...user, 'reload', 'docker'], step: 'reloaded' }], root: kind === 'linux-rootful' && !e.isRoot };
  }
  return { ops: [{ op: 'command', argv: ['systemctl', ...user, 'restart', 'docker'], step: 'restarted' }], root: kind === 'linux-rootful' && !e.isRoot };
}

async function pidFrom(pidfile: string | undefined): Promise<number | undefined> {
  if (!pidfile) return undefined;
  const text = await readFile(pidfile, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}
