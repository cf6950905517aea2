// The renderer is served from Berth's own privileged scheme, berth://app/, rather than file://:
// a standard, secure origin (ES modules work, CSP arrives as a real header), and one exact
// origin that IPC can check senders against (Electron security checklist #17).
import { extname, join, normalize, sep } from 'node:path';

export const APP_SCHEME = 'berth';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** The renderer reaches the core only through IPC, so it may connect nowhere. */
export const APP_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'none'",
  "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

/** True for a page of our app (any path under berth://app/), nothing else. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.json': 'application/json',
};

/** The file under `rendererDir` that a berth://app/ URL names, or undefined (outside, or not ours). */
export function appFileFor(rendererDir: string, url: string): { path: string; type: string } | undefined {
  if (!isAppUrl(url)) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  if (rel.includes('\0')) return undefined;
  const root = normalize(rendererDir);
  const path = normalize(join(root, rel));
  if (!path.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  return { path, type: TYPES[extname(path)] ?? 'application/octet-stream' };
}
