// daemon.json's two keys have opposite rules (moby daemon/pkg/registry/config.go):
// insecure-registries entries are host:port WITHOUT a scheme, registry-mirrors entries are URLs
// WITH one (and no path, query, fragment or credentials).

export function checkInsecureEntry(value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'Enter the registry’s host:port, e.g. 192.168.1.20:5000.';
  if (v.includes('://')) return 'Leave out the scheme: insecure-registries takes host:port, e.g. 192.168.1.20:5000.';
  if (/[/\s?#@]/.test(v)) return 'Use just host:port — no path, spaces or credentials.';
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(v)) return 'This is not a host:port such as myhost:5000 or [fd00::1]:5000.';
  return undefined;
}

export function checkMirrorUrl(value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'Enter the mirror URL, e.g. http://192.168.1.20:5000.';
  if (!/^https?:\/\//.test(v)) return 'registry-mirrors needs the scheme: start with http:// or https://.';
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return 'This is not a URL.';
  }
  if (url.username || url.password) return 'A mirror URL cannot contain credentials.';
  if (url.search || url.hash) return 'A mirror URL cannot have a query or fragment.';
  if (url.pathname !== '/' && url.pathname !== '') return 'Use the registry’s root URL, without a path.';
  return undefined;
}
