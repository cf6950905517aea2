// The import's registry client over HTTPS: it trusts exactly the certificate the config names
// (a CA-issued one the process has no CA for included) and refuses to send anything to a
// server presenting another, on a fresh connection and on kept-alive ones alike.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generateCa, generateServerCertificate } from '../../../main/certs/generate';
import { RegistryPush } from '../../../main/archive/registry-push';

async function serve(cert: { certPem: string; keyPem: string }, seen: string[]): Promise<Server & { url: URL }> {
  const server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(404, { 'Content-Length': 0 }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(server, { url: new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}/`) });
}

describe('RegistryPush over HTTPS', () => {
  const servers: Server[] = [];
  after(() => { for (const s of servers) s.close(); });

  it('talks to the server with the pinned certificate, and sends nothing to one with another', async () => {
    const ca = await generateCa({ commonName: 'Pin CA', keySize: 2048, validityDays: 10 });
    const names = { dns: ['localhost'], ips: ['127.0.0.1'] };
    const [mine, other] = await Promise.all([
      generateServerCertificate({ ca, names, keySize: 2048, validityDays: 10 }),
      generateServerCertificate({ ca, names, keySize: 2048, validityDays: 10 }),
    ]);
    const seen: string[] = [];
    const server = await serve(mine, seen);
    servers.push(server);

    const right = new RegistryPush({ base: server.url, pinnedCertificate: new X509Certificate(mine.certPem).raw });
    assert.equal(await right.hasBlob('a/b', `sha256:${'0'.repeat(64)}`), false);
    assert.equal(await right.hasBlob('a/b', `sha256:${'1'.repeat(64)}`), false, 'a kept-alive connection too');
    right.close();
    assert.equal(seen.length, 2);

    const wrong = new RegistryPush({ base: server.url, pinnedCertificate: new X509Certificate(other.certPem).raw, authorization: 'Basic c2VjcmV0OnNlY3JldA==' });
    await assert.rejects(wrong.putManifest('a/b', 'v1', 'application/vnd.oci.image.manifest.v1+json', Buffer.from('{}')),
      /presented a certificate other than the one in its config \(http\.tls\.certificate\)/);
    wrong.close();
    assert.equal(seen.length, 2, 'the request never reached the server');
  });
});
