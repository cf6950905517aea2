// Defences against web pages in the user's browser. Registry clients (docker, podman, skopeo,
// containerd, buildah) never send an Origin header and always name the registry in Host; a
// page can make the browser send requests that look almost the same:
// - cross-site: a POST, PATCH or PUT with no or a "simple" Content-Type needs no CORS preflight,
//   so the page cannot read the answer but the write happens. Browsers always add Origin to such
//   requests, so a state-changing request with an Origin that is not explicitly allowed is refused.
// - DNS rebinding: the page's own name is re-pointed at 127.0.0.1, after which the browser treats
//   the registry as same-origin and can read, write and delete. The Host header still carries the
//   attacker's name, so a loopback listener answers only the names that really mean this machine.
import type { IncomingMessage } from 'node:http';
import { hostname as osHostname } from 'node:os';
import { hostNameOf, isIpLiteral } from '../../lib/host-name';
import { RegistryError } from '../errors';
import { listensOnLoopback } from '../../config/listen-address';

export interface RequestOriginPolicy {
  /** The listener's own address (http.addr or http.debug.addr). */
  addr: string;
  /** berth.http.allowedorigins */
  allowedOrigins: readonly string[];
  /** berth.http.allowedhosts */
  allowedHosts: readonly string[];
}

/** Methods that only read; everything else changes state and is refused from a foreign page. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Names that reach this machine without asking DNS: a rebinding page cannot make the browser
 * send them. `*.localhost` resolves to loopback in browsers by RFC 6761; containers reach the
 * host as host.docker.internal / host.containers.internal; the machine's own host name resolves
 * through /etc/hosts.
 */
function ownNames(): Set<string> {
  const names = new Set(['localhost', 'host.docker.internal', 'host.containers.internal']);
  const own = hostNameOf(osHostname());
  if (own) names.add(own);
  return names;
}

/** Returns a check that throws RegistryError('denied') for a request a browser page forged. */
export function requestOriginGuard(policy: RequestOriginPolicy): (req: IncomingMessage) => void {
  const origins = new Set(policy.allowedOrigins);
  const extraHosts = new Set(policy.allowedHosts);
  // On a loopback listener every request is checked; elsewhere only when names are listed (a
  // LAN server is reached by names and addresses Berth cannot know).
  const checkHost = !extraHosts.has('*') && (listensOnLoopback(policy.addr) || extraHosts.size > 0);
  const names = ownNames();

  const hostAllowed = (value: string): boolean => {
    const host = hostNameOf(value);
    if (!host) return false;
    // A browser sends an address literal only when the page itself was loaded from that
    // address, which is then the registry's own origin: rebinding needs a DNS name.
    if (isIpLiteral(host)) return true;
    return names.has(host) || host.endsWith('.localhost') || extraHosts.has(host);
  };

  return (req) => {
    const host = req.headers.host;
    // HTTP/1.0 clients may omit Host; browsers never do.
    if (checkHost && host !== undefined && !hostAllowed(host)) {
      throw new RegistryError('denied', `this registry does not answer to the host name in the request; add it to berth.http.allowedhosts if clients really use it`, { host });
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !SAFE_METHODS.has(req.method ?? 'GET') && !origins.has(origin.toLowerCase())) {
      throw new RegistryError('denied', `requests from web pages may not change this registry; add the page's origin to berth.http.allowedorigins to allow it`, { origin });
    }
  };
}
