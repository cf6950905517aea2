// The HTTPS listener (http.tls): certificate renewal without dropping keep-alive connections,
// clear startup errors, minimumtls and TLS 1.2 cipher suites as Go/distribution apply them.
import { testRegistryYaml } from '../../../support/registry-yaml';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { caPaths, initCertificates, type TlsPaths } from '../../../../main/certs/cert-service';
import { generateCa, generateServerCertificate } from '../../../../main/certs/generate';
import { parseConfig } from '../../../../main/config/load';
import { silentLogger } from '../../../../main/lib/logger';
import { startRegistry } from '../../../../main/registry/registry';
import { writeFileAtomic } from '../../../../main/lib/atomic-file';
import { startTestRegistry, type TestRegistry } from '../../../support/registry';
import { tempDir } from '../../../support/cleanup';

let dir: string;
let paths: TlsPaths;
let ca: Buffer;
before(async () => {
  dir = await tempDir('berth-tls-');
  paths = { certificate: join(dir, 'server.crt'), key: join(dir, 'server.key') };
  await initCertificates(paths, { names: ['localhost', '127.0.0.1'] });
  ca = await readFile(caPaths(paths).cert);
});
after(async () => { await rm(dir, { recursive: true, force: true }); });

function tlsYaml(root: string, tls: { certificate: string; key: string; extra?: string[] }): string {
  return testRegistryYaml(root, {
    http: ['  tls:', `    certificate: ${tls.certificate}`, `    key: ${tls.key}`, ...(tls.extra ?? []).map((l) => `    ${l}`)],
  });
}

function portOf(reg: TestRegistry): number {
  return Number(new URL(reg.url).port);
}

/** One TLS handshake; resolves with what was negotiated or rejects with the handshake error. */
function handshake(port: number, opts: ConnectionOptions): Promise<{ protocol: string | null; cipher: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const s: TLSSocket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ...opts }, () => {
      const r = { protocol: s.getProtocol(), cipher: s.getCipher().name, fingerprint: s.getPeerX509Certificate()!.fingerprint256 };
      s.end();
      resolve(r);
    });
    s.once('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error('handshake timeout')));
  });
}

async function fingerprintOf(file: string): Promise<string> {
  return new X509Certificate(await readFile(file)).fingerprint256;
}

describe('TLS listener', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry({ yaml: (root) => tlsYaml(root, paths) }); });
  after(async () => { await reg.stop(); });

  it('serves the API over HTTPS with HTTP/1.1 (ALPN) and a certificate that verifies against ca.crt', async () => {
    const r = await handshake(portOf(reg), { ALPNProtocols: ['h2', 'http/1.1'] });
    assert.equal(r.fingerprint, await fingerprintOf(paths.certificate));
    const res = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: portOf(reg), path: '/v2/', ca, servername: 'localhost', agent: false }, (m) => {
        m.resume();
        resolve(m.statusCode ?? 0);
      }).on('error', reject).end();
    });
    assert.equal(res, 200);
    await assert.rejects(handshake(portOf(reg), { ca: undefined }), /self[- ]signed|unable to (get|verify)/i, 'an untrusted CA is an error');
  });

  it('a renewed certificate reaches new connections while an open keep-alive connection keeps working', { timeout: 30_000 }, async () => {
    const port = portOf(reg);
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca, servername: 'localhost' });
    const get = () => new Promise<{ status: number; reused: boolean; fingerprint: string; local: number }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/v2/', agent }, (m) => {
        const sock = m.socket as TLSSocket;
        const seen = { status: m.statusCode ?? 0, reused: req.reusedSocket, fingerprint: sock.getPeerX509Certificate()?.fingerprint256 ?? '', local: sock.localPort! };
        m.resume();
        m.on('end', () => resolve(seen));
      });
      req.on('error', reject);
      req.end();
    });
    try {
      const first = await get();
      const oldFp = await fingerprintOf(paths.certificate);
      assert.equal(first.fingerprint, oldFp);
      await initCertificates(paths, { names: ['localhost', '127.0.0.1'] }); // same CA, new key and certificate
      const newFp = await fingerprintOf(paths.certificate);
      assert.notEqual(newFp, oldFp);
      // The files are polled every 2 s: wait until a new connection presents the new certificate.
      let fresh = '';
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        fresh = (await handshake(port, {})).fingerprint;
        if (fresh === newFp) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(fresh, newFp, 'new connections get the renewed certificate');
      const again = await get();
      assert.equal(again.status, 200);
      assert.equal(again.reused, true, 'the keep-alive connection was not dropped');
      assert.equal(again.local, first.local, 'same TCP connection');
    } finally {
      agent.destroy();
    }
  });

  it('a half-finished renewal (key not matching yet) keeps serving the old pair', { timeout: 20_000 }, async () => {
    const port = portOf(reg);
    const before = (await handshake(port, {})).fingerprint;
    const other = await generateServerCertificate({ ca: await generateCa({ commonName: 'x', keySize: 2048, validityDays: 1 }), names: { dns: ['x'], ips: [] }, keySize: 2048, validityDays: 1 });
    const goodKey = await readFile(paths.key);
    await writeFileAtomic(paths.key, other.keyPem, 0o600);
    await new Promise((r) => setTimeout(r, 4500));
    assert.equal((await handshake(port, {})).fingerprint, before);
    await writeFileAtomic(paths.key, goodKey, 0o600);
  });
});

describe('TLS startup errors', () => {
  const start = (certificate: string, key: string) => {
    const { config } = parseConfig(tlsYaml(dir, { certificate, key }), { env: {}, source: 'test' });
    return startRegistry({ config, log: silentLogger });
  };

  it('a missing key file names the key and the path', async () => {
    await assert.rejects(start(paths.certificate, join(dir, 'missing.key')), (e: Error) => {
      assert.equal(e.message, `http.tls.key: cannot read ${join(dir, 'missing.key')}: ENOENT`);
      return true;
    });
    await assert.rejects(start(join(dir, 'missing.crt'), paths.key), /http\.tls\.certificate: cannot read .*missing\.crt: ENOENT/);
  });

  it('a key that does not belong to the certificate says so', async () => {
    const other = join(dir, 'other.key');
    await writeFileAtomic(other, (await generateServerCertificate({ ca: await generateCa({ commonName: 'o', keySize: 2048, validityDays: 1 }), names: { dns: ['o'], ips: [] }, keySize: 2048, validityDays: 1 })).keyPem);
    await assert.rejects(start(paths.certificate, other), (e: Error) => {
      assert.equal(e.message, `http.tls.key (${other}) does not match http.tls.certificate (${paths.certificate})`);
      return true;
    });
  });
});

// A client that is willing to speak old TLS (OpenSSL 3 disables it at the default security level).
const OLD_CLIENT: ConnectionOptions = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' };

function sClient(port: number, flag: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, flag, '-cipher', 'DEFAULT@SECLEVEL=0'], { timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr });
    });
    child.stdin?.end();
  });
}

describe('minimumtls and ciphersuites', () => {
  it('tls1.2 (the default): TLS 1.1 is refused (node and openssl s_client), 1.2 and 1.3 work', async () => {
    const reg = await startTestRegistry({ yaml: (root) => tlsYaml(root, { ...paths, extra: ['minimumtls: tls1.2'] }) });
    try {
      await assert.rejects(handshake(portOf(reg), OLD_CLIENT), /protocol|version/i);
      const s = await sClient(portOf(reg), '-tls1_1');
      assert.notEqual(s.code, 0, s.out);
      assert.match(s.out, /alert protocol version|unsupported protocol|no protocols available|wrong version/i);
      assert.equal((await handshake(portOf(reg), { maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2');
      assert.equal((await handshake(portOf(reg), {})).protocol, 'TLSv1.3');
    } finally {
      await reg.stop();
    }
  });

  it('tls1.3: a TLS 1.2 client is refused', async () => {
    const reg = await startTestRegistry({ yaml: (root) => tlsYaml(root, { ...paths, extra: ['minimumtls: tls1.3'] }) });
    try {
      await assert.rejects(handshake(portOf(reg), { maxVersion: 'TLSv1.2' }), /protocol|version/i);
      const s = await sClient(portOf(reg), '-tls1_2');
      assert.notEqual(s.code, 0, s.out);
      assert.equal((await handshake(portOf(reg), {})).protocol, 'TLSv1.3');
    } finally {
      await reg.stop();
    }
  });

  it('ciphersuites restrict TLS 1.2 to the listed suites (Go names); TLS 1.3 still works, as in Go', async () => {
    const reg = await startTestRegistry({
      yaml: (root) => tlsYaml(root, { ...paths, extra: ['minimumtls: tls1.2', 'ciphersuites:', '  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', '  - TLS_AES_128_GCM_SHA256'] }),
    });
    try {
      const port = portOf(reg);
      const any12 = await handshake(port, { maxVersion: 'TLSv1.2' });
      assert.deepEqual([any12.protocol, any12.cipher], ['TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256']);
      await assert.rejects(handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305' }), /handshake failure|no shared cipher|alert/i);
      assert.equal((await handshake(port, {})).protocol, 'TLSv1.3');
    } finally {
      await reg.stop();
    }
  });
});
