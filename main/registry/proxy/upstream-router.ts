// Which upstream serves a repository, and under which name. The default upstream
// (proxy.remoteurl) serves every name; berth.proxy.upstreams add more, selected by the first
// name component (`ghcr.io/owner/image` → ghcr.io, name `owner/image`). containerd's mirror
// requests carry `?ns=<registry host>` instead; those are stored under `<ns>/<name>` so the
// same content is shared with clients that use the prefix form. Names under
// berth.proxy.localnamespaces have no route: they are the local store's alone.
import type { RegistryConfig } from '../../config/types';
import type { Logger } from '../../lib/logger';
import { isLocalName } from './local-namespaces';
import { UpstreamClient } from './upstream-client';

export interface Route {
  upstream: UpstreamClient;
  /** The repository name at the upstream. */
  remoteName: string;
  ttlMs: number;
}

const DOCKER_HUB_NS = new Set(['docker.io', 'registry-1.docker.io', 'index.docker.io']);

export class UpstreamRouter {
  private readonly byPrefix = new Map<string, { client: UpstreamClient; ttlMs: number }>();
  private readonly fallback: { client: UpstreamClient; ttlMs: number } | undefined;
  private readonly localNamespaces: readonly string[];

  constructor(config: RegistryConfig, log: Logger) {
    this.localNamespaces = config.berth.proxy.localnamespaces;
    if (config.proxy) {
      this.fallback = { client: new UpstreamClient(config.proxy, log), ttlMs: config.proxy.ttlMs };
    }
    for (const u of config.berth.proxy.upstreams) this.byPrefix.set(u.prefix, { client: new UpstreamClient(u, log), ttlMs: u.ttlMs });
  }

  get clients(): UpstreamClient[] {
    return [...(this.fallback ? [this.fallback.client] : []), ...[...this.byPrefix.values()].map((v) => v.client)];
  }

  /** The local repository name for a request, applying containerd's `ns` parameter. */
  localName(name: string, ns: string | null): string {
    if (!ns || DOCKER_HUB_NS.has(ns) || !this.byPrefix.has(ns)) return name;
    return `${ns}/${name}`;
  }

  /** Whether `localName` is in a local namespace (pushed here, never fetched). */
  isLocal(localName: string): boolean {
    return isLocalName(localName, this.localNamespaces);
  }

  /** The upstream of a name; undefined for local names and names no upstream serves. */
  route(localName: string): Route | undefined {
    if (this.isLocal(localName)) return undefined;
    const slash = localName.indexOf('/');
    const first = slash > 0 ? localName.slice(0, slash) : '';
    const hit = this.byPrefix.get(first);
    if (hit) return { upstream: hit.client, remoteName: dockerHubName(hit.client, localName.slice(slash + 1)), ttlMs: hit.ttlMs };
    if (!this.fallback) return undefined;
    return { upstream: this.fallback.client, remoteName: dockerHubName(this.fallback.client, localName), ttlMs: this.fallback.ttlMs };
  }
}

function dockerHubName(client: UpstreamClient, name: string): string {
  return client.isDockerHub && !name.includes('/') ? `library/${name}` : name;
}
