// Serves the built renderer on berth://app/ with the CSP as a response header. The scheme is
// registered as privileged (standard + secure) before the app is ready, as Electron requires.
import { readFile } from 'node:fs/promises';
import type { Protocol } from 'electron';
import { APP_CSP, APP_SCHEME, appFileFor } from './app-url';

export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false, stream: false },
};

export function serveAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = appFileFor(rendererDir, request.url);
    if (!file) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file.path);
      return new Response(new Uint8Array(body), {
        headers: { 'content-type': file.type, 'content-security-policy': APP_CSP, 'x-content-type-options': 'nosniff' },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}
