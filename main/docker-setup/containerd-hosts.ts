// containerd's registry host files (containerd ≥ 1.5: certs.d/<registry>/hosts.toml, read by the
// CRI plugin's config_path and by `ctr --hosts-dir`). Two kinds:
// - Berth itself: certs.d/<berth host:port>/hosts.toml, with `ca` next to it for TLS;
// - Berth as a mirror of an upstream: certs.d/<upstream registry>/hosts.toml listing Berth as a
//   pull/resolve host before the upstream itself. containerd then asks Berth with
//   `?ns=<upstream registry>`, which Berth's proxy maps to the upstream whose prefix it is.
// containerd 1.6 ignores a file without a `[host."…"]` table ("invalid host tree"), so every
// file has one. `skip_verify` is never written: plain HTTP needs only the http:// scheme, and
// TLS is verified against Berth's CA.
import { hostPortProblem } from '../../preload/contract/registry-hosts';
import { TargetError } from './detect';

/** The CA file written beside a mirror's hosts.toml (not ca.crt: that would read as the upstream's). */
export const MIRROR_CA_FILE = 'berth-ca.crt';

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'registry-1.docker.io', 'index.docker.io']);

/**
 * hosts.toml for Berth at hostPort; with TLS, `ca.crt` is expected in the same folder. containerd
 * tries the [host] entry and then `server` (the same registry), moving on after a 404: the
 * server gets the CA too, so a missing tag reads as not found, not as a certificate error.
 */
export function registryHostsToml(hostPort: string, tls: boolean): string {
  const url = `${tls ? 'https' : 'http'}://${hostPort}`;
  const ca = tls ? 'ca.crt' : undefined;
  return `server = "${url}"\n${ca ? `ca = "${ca}"\n` : ''}\n${hostTable(url, ['pull', 'resolve', 'push'], ca)}`;
}

export interface MirrorHosts {
  /** The registry as image names spell it (ghcr.io, docker.io): the certs.d folder name. */
  registry: string;
  /** hosts.toml content for certs.d/<registry>/. */
  hostsToml: string;
}

/**
 * hosts.toml that sends pulls of `upstreamUrl`'s images to Berth first (pull and resolve only:
 * pushes go to the upstream itself), falling back to the upstream. `registry` is the host part
 * of the image names (e.g. a berth.proxy.upstreams prefix); Docker Hub's API hosts become
 * docker.io, the name containerd looks up. With TLS, `berth-ca.crt` is expected beside it.
 */
export function mirrorHosts(o: { registry?: string; upstreamUrl: string; mirrorHostPort: string; tls: boolean }): MirrorHosts {
  let upstream: URL;
  try {
    upstream = new URL(o.upstreamUrl);
  } catch {
    throw new TargetError(`"${o.upstreamUrl}" is not an upstream URL`);
  }
  const hub = DOCKER_HUB_HOSTS.has(upstream.hostname);
  const registry = o.registry ?? (hub ? 'docker.io' : upstream.host);
  const problem = hostPortProblem(registry) ?? hostPortProblem(o.mirrorHostPort, true);
  if (problem) throw new TargetError(`cannot write a containerd mirror for "${registry}" via "${o.mirrorHostPort}": ${problem}`);
  const server = hub ? 'https://registry-1.docker.io' : `${upstream.protocol}//${upstream.host}`;
  const mirror = `${o.tls ? 'https' : 'http'}://${o.mirrorHostPort}`;
  return { registry, hostsToml: `server = "${server}"\n\n${hostTable(mirror, ['pull', 'resolve'], o.tls ? MIRROR_CA_FILE : undefined)}` };
}

function hostTable(url: string, capabilities: string[], ca: string | undefined): string {
  return [
    `[host."${url}"]`,
    `  capabilities = [${capabilities.map((c) => `"${c}"`).join(', ')}]`,
    ...(ca ? [`  ca = "${ca}"`] : []),
    '',
  ].join('\n');
}
