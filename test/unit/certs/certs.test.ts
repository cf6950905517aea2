// Certificates made with node-forge, checked by OpenSSL and Node's X509Certificate rather than
// by the code that made them: chain verification, SANs, key sizes, validity, import checks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import forge from 'node-forge';
import { caPaths, importCertificate, initCertificates, showCertificates } from '../../../main/certs/cert-service';
import { classifyNames, defaultSubjectNames } from '../../../main/certs/default-names';
import { describeCertificate } from '../../../main/certs/describe';
import { generateCa, generateServerCertificate, type KeySize } from '../../../main/certs/generate';
import { CertificateError, validateCertificatePair } from '../../../main/certs/validate';
import { tempDir } from '../../support/cleanup';

let dir: string;
before(async () => { dir = await tempDir('berth-certs-'); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** SANs as OpenSSL prints them, e.g. ['DNS:registry.test', 'IP Address:10.0.0.1']. */
function opensslSans(certFile: string): string[] {
  const text = openssl(['x509', '-in', certFile, '-noout', '-ext', 'subjectAltName']);
  return text.split('\n').slice(1).join(',').split(',').map((s) => s.trim()).filter(Boolean);
}

describe('initCertificates (CA + server certificate)', () => {
  it('openssl verify -CAfile ca.crt server.crt passes; SANs are exactly the given names', async () => {
    const paths = { certificate: join(dir, 'a', 'server.crt'), key: join(dir, 'a', 'server.key') };
    const view = await initCertificates(paths, { names: ['Registry.Test', 'localhost', '10.231.7.2', '::1', '[fe80::1]'] });
    const ca = caPaths(paths);
    assert.equal(openssl(['verify', '-CAfile', ca.cert, paths.certificate]).trim(), `${paths.certificate}: OK`);
    assert.deepEqual(opensslSans(paths.certificate), ['DNS:registry.test', 'DNS:localhost', 'IP Address:10.231.7.2', 'IP Address:0:0:0:0:0:0:0:1', 'IP Address:FE80:0:0:0:0:0:0:1']);
    // The same through Node's parser and Berth's own description.
    const x = new X509Certificate(await readFile(paths.certificate));
    assert.equal(x.checkHost('registry.test'), 'registry.test');
    assert.equal(x.checkIP('10.231.7.2'), '10.231.7.2');
    assert.equal(x.checkHost('other.test'), undefined);
    assert.deepEqual(view.server!.dnsNames, ['registry.test', 'localhost']);
    assert.deepEqual(view.server!.ipAddresses, ['10.231.7.2', '::1', 'fe80::1']);
    assert.equal(view.ca!.isCa, true);
    assert.equal(view.server!.isCa, false);
    assert.equal(view.caPath, ca.cert);
    // Key files are private, certificates public.
    assert.equal((await stat(paths.key)).mode & 0o777, 0o600);
    assert.equal((await stat(ca.key)).mode & 0o777, 0o600);
    assert.equal((await stat(paths.certificate)).mode & 0o777, 0o644);
    // The server key matches the server certificate; the server certificate is for serverAuth.
    assert.ok(x.checkPrivateKey(createPrivateKey(await readFile(paths.key))));
    assert.match(openssl(['x509', '-in', paths.certificate, '-noout', '-ext', 'extendedKeyUsage,basicConstraints']), /CA:FALSE[\s\S]*TLS Web Server Authentication/);
  });

  it('regenerating keeps the CA clients already trust (unless newCa)', async () => {
    const paths = { certificate: join(dir, 'b', 'server.crt'), key: join(dir, 'b', 'server.key') };
    const first = await initCertificates(paths, { names: ['one.test'] });
    const second = await initCertificates(paths, { names: ['two.test'] });
    assert.equal(second.ca!.fingerprintSha256, first.ca!.fingerprintSha256);
    assert.notEqual(second.server!.fingerprintSha256, first.server!.fingerprintSha256);
    assert.deepEqual(second.server!.dnsNames, ['two.test']);
    openssl(['verify', '-CAfile', caPaths(paths).cert, paths.certificate]);
    const third = await initCertificates(paths, { names: ['two.test'], newCa: true });
    assert.notEqual(third.ca!.fingerprintSha256, first.ca!.fingerprintSha256);
    openssl(['verify', '-CAfile', caPaths(paths).cert, paths.certificate]);
  });

  it('validity days are honoured (and a few minutes back-dated for slow clocks)', async () => {
    const paths = { certificate: join(dir, 'c', 'server.crt'), key: join(dir, 'c', 'server.key') };
    const before = Date.now();
    const view = await initCertificates(paths, { names: ['days.test'], validityDays: 30 });
    const notAfter = new Date(new X509Certificate(await readFile(paths.certificate)).validTo).getTime();
    const expected = before + 30 * 86_400_000;
    assert.ok(Math.abs(notAfter - expected) < 120_000, `notAfter ${new Date(notAfter).toISOString()} ≈ now + 30 days`);
    const notBefore = new Date(view.server!.notBefore).getTime();
    assert.ok(notBefore < before && notBefore > before - 10 * 60_000, 'notBefore slightly in the past');
    await assert.rejects(initCertificates(paths, { names: ['x'], validityDays: 0 }), /1 to 3650 days/);
    await assert.rejects(initCertificates(paths, { names: ['x'], keySize: 1024 as KeySize }), /key size/);
  });

  for (const bits of [2048, 3072, 4096] as const) {
    it(`RSA ${bits}-bit keys for the CA and the server`, { timeout: 120_000 }, async () => {
      const ca = await generateCa({ commonName: 'Test CA', keySize: bits, validityDays: 10 });
      const server = await generateServerCertificate({ ca, names: { dns: ['bits.test'], ips: [] }, keySize: bits, validityDays: 10 });
      for (const pem of [ca.certPem, server.certPem]) {
        assert.equal(new X509Certificate(pem).publicKey.asymmetricKeyDetails?.modulusLength, bits);
      }
      assert.ok(new X509Certificate(server.certPem).verify(new X509Certificate(ca.certPem).publicKey), 'signed by the CA');
    });
  }

  it('showCertificates on missing files reports nothing, without throwing', async () => {
    const view = await showCertificates({ certificate: join(dir, 'none.crt'), key: join(dir, 'none.key') });
    assert.deepEqual(view, { server: undefined, chain: [], ca: undefined, caPath: undefined });
  });
});

describe('default names', () => {
  it('include the hostname, localhost, 127.0.0.1, ::1 and every non-internal address', () => {
    const names = defaultSubjectNames();
    assert.ok(names.dns.includes('localhost'));
    assert.ok(names.dns.includes(hostname().toLowerCase()));
    assert.ok(names.ips.includes('127.0.0.1'));
    assert.ok(names.ips.includes('::1'));
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) if (!a.internal) assert.ok(names.ips.includes(a.address.split('%')[0]!), a.address);
    }
  });

  it('classifyNames splits DNS names from IPv4/IPv6 addresses (brackets stripped)', () => {
    assert.deepEqual(classifyNames(['Reg.Example', ' 10.0.0.1 ', '[::1]', 'fe80::2', '']), { dns: ['reg.example'], ips: ['10.0.0.1', '::1', 'fe80::2'] });
  });

  it('a certificate for the default names covers localhost and the loopback addresses', async () => {
    const paths = { certificate: join(dir, 'd', 'server.crt'), key: join(dir, 'd', 'server.key') };
    await initCertificates(paths);
    const x = new X509Certificate(await readFile(paths.certificate));
    assert.equal(x.checkHost('localhost'), 'localhost');
    assert.equal(x.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(x.checkIP('::1'), '::1');
  });
});

describe('importing an existing certificate', () => {
  it('a valid pair is accepted and its SANs reported; the files land where configured', async () => {
    const ca = await generateCa({ commonName: 'Import CA', keySize: 2048, validityDays: 100 });
    const server = await generateServerCertificate({ ca, names: { dns: ['imp.test'], ips: ['10.1.2.3'] }, keySize: 2048, validityDays: 100 });
    const checked = validateCertificatePair(server.certPem + ca.certPem, server.keyPem);
    assert.deepEqual(checked.certificate.dnsNames, ['imp.test']);
    assert.deepEqual(checked.certificate.ipAddresses, ['10.1.2.3']);
    assert.equal(checked.chain.length, 1);
    assert.deepEqual(checked.warnings, []);
    const paths = { certificate: join(dir, 'imp', 'server.crt'), key: join(dir, 'imp', 'server.key') };
    const view = await importCertificate(paths, server.certPem + ca.certPem, server.keyPem);
    assert.deepEqual(view.server!.dnsNames, ['imp.test']);
    assert.equal(view.chain.length, 1);
    assert.equal(await readFile(paths.key, 'utf8'), server.keyPem);
  });

  it('a key that belongs to another certificate is rejected with a clear message', async () => {
    const ca = await generateCa({ commonName: 'CA', keySize: 2048, validityDays: 100 });
    const one = await generateServerCertificate({ ca, names: { dns: ['one.test'], ips: [] }, keySize: 2048, validityDays: 100 });
    const two = await generateServerCertificate({ ca, names: { dns: ['two.test'], ips: [] }, keySize: 2048, validityDays: 100 });
    assert.throws(() => validateCertificatePair(one.certPem, two.keyPem), (e: Error) => e instanceof CertificateError && e.message === 'the private key does not match the certificate');
    const paths = { certificate: join(dir, 'mm', 'server.crt'), key: join(dir, 'mm', 'server.key') };
    await assert.rejects(importCertificate(paths, one.certPem, two.keyPem), /does not match/);
    await assert.rejects(stat(paths.certificate), { code: 'ENOENT' }, 'nothing written on failure');
  });

  it('an expired certificate is rejected, one about to expire warns, garbage is explained', async () => {
    const expired = selfSigned(new Date(Date.now() - 10 * 86_400_000), new Date(Date.now() - 86_400_000));
    assert.throws(() => validateCertificatePair(expired.certPem, expired.keyPem), (e: Error) => e instanceof CertificateError && /expired on \d{4}-/.test(e.message));
    const future = selfSigned(new Date(Date.now() + 86_400_000), new Date(Date.now() + 10 * 86_400_000));
    assert.throws(() => validateCertificatePair(future.certPem, future.keyPem), /not valid before/);
    const soon = selfSigned(new Date(Date.now() - 86_400_000), new Date(Date.now() + 5 * 86_400_000));
    const r = validateCertificatePair(soon.certPem, soon.keyPem);
    assert.ok(r.warnings.some((w) => /expires in [45] days/.test(w)), r.warnings.join('; '));
    assert.ok(r.warnings.some((w) => /no subject alternative names/.test(w)), 'no SANs warned');
    assert.throws(() => validateCertificatePair('not a pem', soon.keyPem), /no PEM certificate/);
    assert.throws(() => validateCertificatePair(soon.certPem, 'not a key'), /private key cannot be parsed/);
  });

  it('describeCertificate agrees with OpenSSL on subject, fingerprint and dates', async () => {
    const ca = await generateCa({ commonName: 'Describe CA', keySize: 2048, validityDays: 3 });
    const file = join(dir, 'describe.crt');
    await writeFile(file, ca.certPem);
    const info = describeCertificate(ca.certPem);
    const fp = openssl(['x509', '-in', file, '-noout', '-fingerprint', '-sha256']).trim().split('=')[1];
    assert.equal(info.fingerprintSha256, fp);
    assert.equal(info.selfSigned, true);
    assert.match(info.subject, /CN=Describe CA/);
    assert.equal(new Date(info.notAfter).getTime(), new Date(new X509Certificate(ca.certPem).validTo).getTime());
  });
});

/** A self-signed certificate without SANs and with chosen dates (forge lets us back-date). */
function selfSigned(notBefore: Date, notAfter: Date): { certPem: string; keyPem: string } {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 1024, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: 'dated.test' }]);
  cert.setIssuer([{ name: 'commonName', value: 'dated.test' }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}
