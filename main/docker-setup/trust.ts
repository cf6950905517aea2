// Client trust for a registry served with Berth's CA: where Docker, podman (containers/image)
// and containerd look for a registry's CA certificate, writing it there when we may, and the
// exact commands for the user to run when we may not (files owned by root).
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { hostPortProblem } from '../../preload/contract/registry-hosts';
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
  const home = o.home ?? homedir();
  const base = o.baseDir ?? defaultBase(client, !!o.rootless, home);
  // The folder name is the client's address; the grammar (no "/", no "..") keeps it one level
  // under the client's certs.d, whoever asked.
  const problem = hostPortProblem(o.hostPort, true);
  const dir = join(base, o.hostPort);
  if (problem || dirname(dir) !== join(base)) throw new TargetError(`"${o.hostPort}" cannot name a certs.d folder: ${problem ?? 'not a host:port'}`);
  const files: Record<string, string> = { 'ca.crt': o.caPem };
  if (client === 'containerd') {
    // containerd reads hosts.toml; `ca` is relative to this directory.
    files['hosts.toml'] = `server = "https://${o.hostPort}"\n\n[host."https://${o.hostPort}"]\n  capabilities = ["pull", "resolve", "push"]\n  ca = "ca.crt"\n`;
  }
  return { client, dir, files };
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
    for (const [name, content] of Object.entries(t.files)) await writeFile(join(t.dir, name), content, { mode: 0o644 });
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
