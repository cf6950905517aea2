// Checks the forms run before calling the core, so most mistakes are explained next to the
// field at once. The core validates again (it is the authority); its messages are shown the
// same way. Each returns a sentence, or undefined when the value is fine.

export function checkPort(text: string): string | undefined {
  if (!/^\d+$/.test(text.trim())) return 'Enter a port number, e.g. 5000.';
  const port = Number(text);
  if (port < 1 || port > 65535) return 'A port is between 1 and 65535.';
  return undefined;
}

export function checkDataDir(text: string): string | undefined {
  const dir = text.trim();
  if (!dir) return 'Choose a folder for the registry’s data.';
  if (!dir.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(dir) && !dir.startsWith('\\\\')) return 'Use a full path, e.g. /var/lib/berth.';
  return undefined;
}

export function checkUpstreamUrl(text: string): string | undefined {
  const value = text.trim();
  if (!value) return 'Enter the upstream registry’s URL, e.g. https://registry-1.docker.io.';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'This is not a URL. Include the scheme, e.g. https://registry-1.docker.io.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'The upstream URL must start with https:// or http://.';
  if (url.username || url.password) return 'Put credentials in the username and password fields, not in the URL.';
  if (url.search || url.hash) return 'The upstream URL cannot have a query (?…) or fragment (#…).';
  return undefined;
}

/** Go's time.ParseDuration syntax, as distribution reads proxy.ttl ("0" keeps content forever). */
export function checkTtl(text: string): string | undefined {
  const value = text.trim();
  if (value === '0') return undefined;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) return 'Use a Go duration such as 168h, 30m or 1h30m; 0 keeps cached content forever.';
  return undefined;
}
