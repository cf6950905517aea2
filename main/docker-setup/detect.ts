// Which Docker is on this machine and which daemon.json it reads: the system dockerd's
// /etc/docker/daemon.json, rootless Docker's $XDG_CONFIG_HOME/docker/daemon.json, Docker
// Desktop's ~/.docker/daemon.json.
// Writing the wrong file is the commonest "I added it but nothing changed" report, so every
// target says whether its daemon answers `docker info`, and the wizard applies to the one that does.
import { constants, existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { DockerKind, DockerTarget } from '../../preload/contract/docker-setup';
import { DAEMON_JSON_ENV, dockerEnv, type ResolvedEnv } from './env';

interface Candidate {
  kind: DockerKind;
  path: string;
  /** DOCKER_HOST of this kind's default socket; undefined = the CLI's own default. */
  socket: string | undefined;
}

function candidates(e: ResolvedEnv): Candidate[] {
  const desktop: Candidate = {
    kind: 'docker-desktop',
    path: join(e.home, '.docker', 'daemon.json'),
    socket: e.platform === 'linux' ? `unix://${join(e.home, '.docker', 'desktop', 'docker.sock')}` : undefined,
  };
  if (e.platform !== 'linux') return [desktop];
  const xdgConfig = e.env.XDG_CONFIG_HOME || join(e.home, '.config');
  const runtimeDir = e.env.XDG_RUNTIME_DIR;
  const list: Candidate[] = [
    { kind: 'linux-rootful', path: e.rootfulPath, socket: 'unix:///var/run/docker.sock' },
    { kind: 'linux-rootless', path: join(xdgConfig, 'docker', 'daemon.json'), socket: runtimeDir ? `unix://${join(runtimeDir, 'docker.sock')}` : undefined },
  ];
  // Docker Desktop for Linux runs its engine in a VM and reads ~/.docker/daemon.json.
  if (existsSync(join(e.home, '.docker', 'desktop')) || existsSync(desktop.path)) list.push(desktop);
  return list;
}

/** A target the wizard was asked to edit that is not one of the daemon.json files it knows. */
export class TargetError extends Error {}

/**
 * The daemon.json a client asked for, if it is exactly one of this machine's known locations
 * (the ones detection offers, or $BERTH_DOCKER_DAEMON_JSON). The control API is reachable from a
 * renderer and over HTTP, so a path it receives is only ever matched, never used as given:
 * anything else (~/.docker/config.json, /etc/profile.d/…, a relative path) is refused unread.
 */
export function knownTarget(path: string, e: ResolvedEnv): { kind: DockerKind; path: string } {
  const c = isAbsolute(path) ? candidates(e).find((x) => resolve(x.path) === resolve(path)) : undefined;
  if (!c) {
    throw new TargetError(`Berth edits only the daemon.json of a Docker it detected (${candidates(e).map((x) => x.path).join(', ')}); ` +
      `for another location, start Berth with ${DAEMON_JSON_ENV} set to it`);
  }
  return { kind: c.kind, path: c.path };
}

export async function detectTargets(e: ResolvedEnv): Promise<DockerTarget[]> {
  const list = candidates(e);
  // DOCKER_HOST decides which daemon the user's CLI talks to: ask it, and attribute the answer
  // to the kind it reports (rootless and Desktop say so in `docker info`).
  let explicitKind: DockerKind | undefined;
  if (e.dockerHost) explicitKind = await daemonKind(e, e.dockerHost);
  const targets: DockerTarget[] = [];
  for (const c of list) {
    const exists = existsSync(c.path);
    const running = e.dockerHost ? explicitKind === c.kind : (await daemonKind(e, c.socket)) !== undefined;
    // Rootless Docker is only worth offering when it is there: a file, or its daemon answering.
    if (c.kind === 'linux-rootless' && !exists && !running) continue;
    targets.push({ kind: c.kind, path: c.path, exists, needsElevation: await needsElevation(c.path, e), running });
  }
  return targets;
}

/** Asks a daemon what it is; undefined when it does not answer. */
async function daemonKind(e: ResolvedEnv, host: string | undefined): Promise<DockerKind | undefined> {
  if (host?.startsWith('unix://') && !existsSync(host.slice('unix://'.length))) return undefined; // no socket, no daemon: skip the CLI's timeout
  const r = await e.run('docker', ['info', '--format', '{{json .}}'], { env: dockerEnv(e, host), timeoutMs: 15_000 });
  if (r.code !== 0) return undefined;
  try {
    const info = JSON.parse(r.stdout) as { OperatingSystem?: string; SecurityOptions?: string[] | null };
    if (/docker desktop/i.test(info.OperatingSystem ?? '')) return 'docker-desktop';
    if ((info.SecurityOptions ?? []).some((o) => o.includes('name=rootless'))) return 'linux-rootless';
    return 'linux-rootful';
  } catch {
    return 'linux-rootful';
  }
}

/**
 * True when this process cannot write the file (or, since we write a temp file and rename it,
 * its folder; or the nearest existing ancestor when the folder does not exist yet).
 */
export async function needsElevation(path: string, e: ResolvedEnv): Promise<boolean> {
  if (e.isRoot && !e.canWrite) return false;
  const writable = e.canWrite ?? (async (p: string) => access(p, constants.W_OK).then(() => true, () => false));
  if (existsSync(path) && !(await writable(path))) return true;
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const st = await stat(dir).catch(() => undefined);
  return !st?.isDirectory() || !(await writable(dir));
}
