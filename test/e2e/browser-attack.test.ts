// A hostile web page in a real browser (Debian's Chromium): a page served from another loopback
// port does what any site the user visits could do — a no-cors `fetch` POST that needs no CORS
// preflight, pushing a blob with a monolithic upload. Berth refuses it (the browser adds Origin)
// and nothing is stored; the same request without a browser still works.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { openChromium, type BrowserSession } from '../support/browser';
import { deferCleanup } from '../support/cleanup';
import { sha256, v2Root } from '../support/oci';
import { useE2EHooks } from '../support/processes';
import { startTestRegistry, type TestRegistry } from '../support/registry';

useE2EHooks();

let reg: TestRegistry;
let browser: BrowserSession;
let site: Server;
let siteUrl = '';

/** The attacker's page: posts `bytes` to the registry as a monolithic blob upload. */
function attackPage(target: string): string {
  return `<!doctype html><title>cat pictures</title><script>
    window.attack = async (url, hex) => {
      const bytes = new Uint8Array(hex.match(/../g).map((h) => parseInt(h, 16)));
      try {
        await fetch(url, { method: 'POST', mode: 'no-cors', body: bytes });
        return 'sent';
      } catch (e) {
        return 'failed: ' + e.message;
      }
    };
  </script><p>registry at ${target}</p>`;
}

before(async () => {
  reg = await startTestRegistry();
  deferCleanup('stop registry', () => reg.stop());
  site = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(attackPage(reg.url));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  browser = await openChromium();
});

after(() => new Promise<void>((resolve) => site?.close(() => resolve())));

test('a page on another origin cannot push a blob with a no-cors fetch; nothing is stored', { timeout: 60_000 }, async () => {
  const seen: Array<{ status: number; origin: string | undefined }> = [];
  reg.registry.server.on('request', (req, res) => {
    res.once('finish', () => seen.push({ status: res.statusCode, origin: req.headers.origin }));
  });
  await browser.page.goto(siteUrl);
  const bytes = randomBytes(256);
  const url = `${reg.url}/v2/stolen/app/blobs/uploads/?digest=${sha256(bytes)}`;
  const outcome = await browser.page.evaluate(([u, hex]) => (window as unknown as { attack(u: string, h: string): Promise<string> }).attack(u!, hex!), [url, bytes.toString('hex')]);
  assert.equal(outcome, 'sent', 'the browser sent the request (an opaque response, as for any no-cors fetch)');
  assert.deepEqual(seen, [{ status: 403, origin: siteUrl.replace(/\/$/, '') }], 'the registry saw the browser\'s Origin and refused');
  assert.deepEqual(await readdir(`${v2Root(reg.root)}/repositories`).catch(() => []), [], 'no repository was created');
  assert.equal((await fetch(`${reg.url}/v2/stolen/app/blobs/${sha256(bytes)}`, { method: 'HEAD' })).status, 404);

  // The same request from a registry client (no Origin) is accepted: the refusal is about the page.
  const client = await fetch(url, { method: 'POST', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(client.status, 201);
});
