// The host name in a Host header value or a configured name ("Registry.Example:5000",
// "[::1]:5000", "localhost."): lowercase, without port, brackets or a trailing dot, read with the
// WHATWG URL parser so it is the same name a browser puts on the wire. One rule for the config
// check and the request check, so a listed name always matches what it should.
export function hostNameOf(value: string): string | undefined {
  const v = value.trim();
  if (!v || /[\s/?#@\\]/.test(v)) return undefined;
  let host: string;
  try {
    host = new URL(`http://${v}`).hostname;
  } catch {
    return undefined;
  }
  host = host.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return host || undefined;
}

/** True for an IPv4 or IPv6 literal (as hostNameOf returns it). */
export function isIpLiteral(host: string): boolean {
  return host.includes(':') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}
