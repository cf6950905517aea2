// `n`/`last` pagination shared by _catalog and tags/list (spec end-8b; distribution's catalog).
// `n` larger than the maximum is clamped rather than refused (what registry 3.1.1 does for
// tags, after refusing broke Renovate's n=10000).
import { RegistryError } from '../errors';

export interface PageRequest { n: number | undefined; last: string | undefined }

export function parsePage(url: URL, max: number): PageRequest {
  const rawN = url.searchParams.get('n');
  let n: number | undefined;
  if (rawN !== null && rawN !== '') {
    if (!/^\d+$/.test(rawN)) throw new RegistryError('pagination-invalid', undefined, { n: rawN });
    n = Math.min(Number(rawN), max);
  }
  const last = url.searchParams.get('last') ?? undefined;
  return { n, last: last === '' ? undefined : last };
}

/** The RFC 5988 Link header for the next page, path-relative like distribution's. */
export function nextLink(path: string, last: string, n: number): string {
  return `<${path}?last=${encodeURIComponent(last)}&n=${n}>; rel="next"`;
}
