// Serves the built renderer (dist/renderer) read-only. index.html gets a strict CSP header (the
// same policy as its meta tag, plus frame-ancestors, which only works as a header).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream';

export const CONSOLE_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon', '.woff2': 'font/woff2',
};

export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed');
  let rel: string;
  try {
    rel = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  } catch {
    return plain(res, 400, 'bad path');
  }
  const file = normalize(join(root, rel));
  if (rel.includes('\0') || (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep))) return plain(res, 404, 'not found');
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    if (pathname === '/' || pathname === '/index.html') {
      return plain(res, 503, 'The Berth console UI is not built (dist/renderer is missing): run `npm run build`. The API under /api/ works.');
    }
    return plain(res, 404, 'not found');
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, {
    'content-type': type,
    'content-length': info.size,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(type.startsWith('text/html') ? { 'content-security-policy': CONSOLE_CSP, 'x-frame-options': 'DENY' } : {}),
  });
  if (req.method === 'HEAD') return void res.end();
  // pipeline, not pipe: a file that goes away after the stat (a rebuild) cuts this response
  // instead of raising an error nobody listens for.
  pipeline(createReadStream(file), res, () => undefined);
}

export function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(text + '\n');
}
