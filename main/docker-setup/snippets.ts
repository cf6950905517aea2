// What the other clients need for the same registry: podman (containers/image registries.conf)
// and containerd (certs.d/<host:port>/hosts.toml). Docker's daemon.json rules do not carry
// over: podman does not treat localhost as insecure, and containerd needs the http:// scheme.
// When Berth is a proxy, containerd can also use it as a mirror of each upstream.
import type { ClientSnippets, MirrorUpstream } from '../../preload/contract/docker-setup';
import { mirrorHosts, MIRROR_CA_FILE, registryHostsToml } from './containerd-hosts';
import { normalizeInsecureRegistry } from './daemon-json';

/** `upstreams`: what Berth proxies (proxy.remoteurl, berth.proxy.upstreams), one mirror file each. */
export function clientSnippets(hostPort: string, tls: boolean, upstreams: MirrorUpstream[] = []): ClientSnippets {
  const hp = normalizeInsecureRegistry(hostPort).value;
  const podman = [
    '# /etc/containers/registries.conf.d/berth.conf (rootless: ~/.config/containers/registries.conf)',
    '[[registry]]',
    `location = "${hp}"`,
    // TLS with Berth's CA is secure once ca.crt is in containers/certs.d/<host:port>/.
    `insecure = ${tls ? 'false' : 'true'}`,
    '',
  ].join('\n');
  // The same text trust.ts installs (containerd-hosts.ts): one source for both.
  const containerd = `# /etc/containerd/certs.d/${hp}/hosts.toml${tls ? ' (with ca.crt next to it)' : ''}\n${registryHostsToml(hp, tls)}`;
  const containerdMirrors = upstreams.map((u) => {
    const m = mirrorHosts({ ...(u.registry ? { registry: u.registry } : {}), upstreamUrl: u.url, mirrorHostPort: hp, tls });
    return { registry: m.registry, hostsToml: `# /etc/containerd/certs.d/${m.registry}/hosts.toml${tls ? ` (with Berth's ca.crt next to it as ${MIRROR_CA_FILE})` : ''}\n${m.hostsToml}` };
  });
  return { podman, containerd, ...(containerdMirrors.length > 0 ? { containerdMirrors } : {}) };
}
