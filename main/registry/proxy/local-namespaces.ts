// Which repository names belong to this registry in proxy mode (berth.proxy.localnamespaces).
// A local name is pushed and served from the local store only and is never asked upstream;
// every other name belongs to an upstream: it resolves upstream-first and refuses writes, so a
// push can never change what an upstream name resolves to for the mirror's clients.
/** A name is local when it equals a listed prefix or lies under `<prefix>/`. */
export function isLocalName(name: string, namespaces: readonly string[]): boolean {
  return namespaces.some((ns) => name === ns || name.startsWith(ns + '/'));
}
