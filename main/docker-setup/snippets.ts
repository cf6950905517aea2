// What the other clients need for the same registry: podman (containers/image registries.conf)
// and containerd (certs.d/<host:port>/hosts.toml). Docker's daemon.json rules do not carry
// over: podman does not treat localhost as insecure, and containerd needs the http:// scheme.
import type { ClientSnippets } from '../../preload/contract/docker-setup';
import { normalizeInsecureRegistry } from './daemon-json';
import { trustTarget } from './trust';

export function clientSnippets(hostPort: string, tls: boolean): ClientSnippets {
  const hp = normalizeInsecureRegistry(hostPort).value;
  const podman = [
    '# /etc/containers/registries.conf.d/berth.conf (rootless: ~/.config/containers/registries.conf)',
    '[[registry]]',
    `location = "${hp}"`,
    // TLS with Berth's CA is secure once ca.crt is in containers/certs.d/<host:port>/.
    `insecure = ${tls ? 'false' : 'true'}`,
    '',
  ].join('\n');
  // The TLS file is the one trust.ts installs next to ca.crt; one source for both.
  const hosts = tls
    ? trustTarget('containerd', { hostPort: hp, caPem: '' }).files['hosts.toml']!
    : `server = "http://${hp}"\n\n[host."http://${hp}"]\n  capabilities = ["pull", "resolve", "push"]\n  skip_verify = true\n`;
  const containerd = `# /etc/containerd/certs.d/${hp}/hosts.toml${tls ? ' (with ca.crt next to it)' : ''}\n${hosts}`;
  return { podman, containerd };
}
