// The "add insecure registry / mirror" wizard: find the local Docker's daemon.json, show the
// change as a diff, write it safely (backup, validation, elevation), reload or restart, verify.

export type DockerKind = 'linux-rootful' | 'linux-rootless' | 'docker-desktop';

export interface DockerTarget {
  kind: DockerKind;
  /** The daemon.json this Docker reads. */
  path: string;
  exists: boolean;
  /** True when writing needs elevation (file or folder owned by root). */
  needsElevation: boolean;
  /** Whether `docker info` answered (Docker is running). */
  running: boolean;
}

export interface DaemonChange {
  target: DockerTarget['path'];
  /** host:port, without scheme (daemon.json's rule). */
  insecureRegistry?: string;
  /** URL with scheme (daemon.json's rule for registry-mirrors). */
  mirror?: string;
  /** Remove these entries instead of adding them. */
  remove?: boolean;
}

export interface DaemonPreview {
  path: string;
  current: string;
  next: string;
  /** Unified diff of current → next. */
  diff: string;
  /** Nothing to do: the entries are already there. */
  unchanged: boolean;
  /** Input Berth corrected, e.g. a scheme stripped from an insecure-registries entry. */
  warnings?: string[];
}

export type ApplyStep = 'validated' | 'backed-up' | 'written' | 'reloaded' | 'restarted' | 'verified' | 'rolled-back';

export interface DaemonApplyResult {
  ok: boolean;
  steps: ApplyStep[];
  backupPath?: string;
  message: string;
  /** Exact commands for the user when Berth could not do it (no elevation available). */
  manualCommands?: string[];
  /** Input Berth corrected, e.g. a scheme stripped from an insecure-registries entry. */
  warnings?: string[];
}

export interface ClientSnippets {
  /** podman: a registries.conf [[registry]] block. */
  podman: string;
  /** containerd: hosts.toml for certs.d/<host:port>/. */
  containerd: string;
  /** In proxy mode, containerd's hosts.toml for certs.d/<registry>/ of each upstream, naming Berth as its mirror. */
  containerdMirrors?: Array<{ registry: string; hostsToml: string }>;
}

/** An upstream Berth proxies: `registry` is how image names spell it (a berth.proxy.upstreams prefix). */
export interface MirrorUpstream {
  registry?: string;
  url: string;
}

export interface DockerSetupMethods {
  'docker.detect': { args: Record<string, never>; result: DockerTarget[] };
  'docker.preview': { args: DaemonChange; result: DaemonPreview };
  /** Writes the change; `then` says whether to reload (keeps containers), restart, or neither. */
  'docker.apply': { args: DaemonChange & { then: 'reload' | 'restart' | 'later' }; result: DaemonApplyResult };
  'docker.snippets': { args: { hostPort: string; tls: boolean }; result: ClientSnippets };
}
