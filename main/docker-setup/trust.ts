// Client trust for a registry served with Berth's CA: where Docker, podman (containers/image)
// and containerd look for a registry's CA certificate, writing it there when we may, and the
// exact commands for the user to run when we may not (files owned by root).
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { hostPortProblem } from '../../preload/contract/registry-hosts';
import { writeFileAtomic } from '../lib/atomic-file';
import { MIRROR_CA_FILE, registryHostsToml, type MirrorHosts } from './containerd-hosts';
import { TargetError } from './detect';

export type TrustClient = 'docker' | 'podman' | 'containerd';

export interface TrustTarget {
  client: TrustClient;
  /** Directory for this registry, e.g. /etc/docker/certs.d/registry.local:5000 */
  dir: string;
  /** Files to write there: name → content. */
  files: Record<string, string>;
}

export interface TrustOptions {
  /** host:port as clients address the registry (no scheme). */
  hostPort: string;
  caPem: string;
  /** Rootless Docker / podman keep their certs.d under the user's config directory. */
  rootless?: boolean;
  /** Overrides the base certs.d directory (tests, Docker Desktop's ~/.docker/certs.d). */
  baseDir?: string;
  home?: string;
}

export function trustTarget(client: TrustClient, o: TrustOptions): TrustTarget {
  const dir = certsDir(client, o.hostPort, o, true);
  const files: Record<string, string> = { 'ca.crt': o.caPem };
  // containerd reads hosts.toml; its `ca` is relative to this directory.
  if (client === 'containerd') files['hosts.toml'] = registryHostsToml(o.hostPort, true);
  return { client, dir, files };
}

/** containerd's folder for Berth over plain HTTP: hosts.toml alone, there is no CA to trust. */
export function containerdPlainTarget(o: Omit<TrustOptions, 'caPem' | 'rootless'>): TrustTarget {
  return { client: 'containerd', dir: certsDir('containerd', o.hostPort, o, true), files: { 'hosts.toml': registryHostsToml(o.hostPort, false) } };
}

/**
 * containerd's folder for an upstream Berth mirrors (containerd-hosts.ts mirrorHosts), with
 * Berth's CA beside it when the mirror is served over TLS.
 */
export function containerdMirrorTarget(m: MirrorHosts, o: { caPem?: string; baseDir?: string; home?: string }): TrustTarget {
  // The CA first: installTrust writes in this order, and hosts.toml names the CA.
  const files: Record<string, string> = o.caPem !== undefined ? { [MIRROR_CA_FILE]: o.caPem } : {};
  files['hosts.toml'] = m.hostsToml;
  return { client: 'containerd', dir: certsDir('containerd', m.registry, o, false), files };
}

/** <client's certs.d>/<name>; the grammar (no "/", no "..") keeps it one level under certs.d. */
function certsDir(client: TrustClient, name: string, o: { rootless?: boolean; baseDir?: string; home?: string }, portRequired: boolean): string {
  const base = o.baseDir ?? defaultBase(client, !!o.rootless, o.home ?? homedir());
  const problem = hostPortProblem(name, portRequired);
  const dir = join(base, name);
  if (problem || dirname(dir) !== join(base)) throw new TargetError(`"${name}" cannot name a certs.d folder: ${problem ?? 'not a host:port'}`);
  return dir;
}

function defaultBase(client: TrustClient, rootless: boolean, home: string): string {
  const xdg = process.env.XDG_CONFIG_HOME || join(home, '.config');
  switch (client) {
    case 'docker': return rootless ? join(xdg, 'docker', 'certs.d') : '/etc/docker/certs.d';
    case 'podman': return rootless ? join(xdg, 'containers', 'certs.d') : '/etc/containers/certs.d';
    case 'containerd': return '/etc/containerd/certs.d';
  }
}

export type TrustResult = { written: true; dir: string } | { written: false; dir: string; reason: string; commands: string[] };

/** Writes the files, or explains why not and what to run instead. Docker needs no restart. */
export async function installTrust(t: TrustTarget): Promise<TrustResult> {
  try {
    await mkdir(t.dir, { recursive: true });
    // Atomic: containerd re-reads hosts.toml on every pull and must never see half a file.
    for (const [name, content] of Object.entries(t.files)) await writeFileAtomic(join(t.dir, name), content, 0o644);
    return { written: true, dir: t.dir };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw err;
    return { written: false, dir: t.dir, reason: `no permission to write ${t.dir}`, commands: manualCommands(t) };
  }
}

/** Shell commands that do the same with sudo; file content is passed through a here-document. */
export function manualCommands(t: TrustTarget): string[] {
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  return [
    `sudo mkdir -p ${q(t.dir)}`,
    ...Object.entries(t.files).map(([name, content]) =>
      `sudo tee ${q(join(t.dir, name))} >/dev/null <<'BERTH_EOF'\n${content.trimEnd()}\nBERTH_EOF`),
  ];
}
