// A local certificate authority and server certificates signed by it, with node-forge. Keys
// come from Node's native RSA generator (async, so a 4096-bit key does not freeze the app);
// forge builds and signs the X.509 structures.
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { forge } from './forge-lib';
import type { SubjectNames } from './default-names';

export type KeySize = 2048 | 3072 | 4096;
export const KEY_SIZES: readonly KeySize[] = [2048, 3072, 4096];

export interface KeyAndCert { certPem: string; keyPem: string }

const genKeyPair = promisify(generateKeyPair);

async function rsaKey(bits: KeySize): Promise<{ privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string }> {
  const { privateKey } = await genKeyPair('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), keyPem: privateKey };
}

function serial(): string {
  // Positive 128-bit serial (leading bit cleared so DER does not read it as negative).
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = new Date();
  // Back-date a little so a client with a slightly slow clock accepts a fresh certificate.
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
}

export interface CaOptions { commonName: string; keySize: KeySize; validityDays: number }

export async function generateCa(opts: CaOptions): Promise<KeyAndCert> {
  const { privateKey, publicKey, keyPem } = await rsaKey(opts.keySize);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  validity(cert, opts.validityDays);
  const attrs = [{ name: 'commonName', value: opts.commonName }, { name: 'organizationName', value: 'Berth local CA' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true, pathLenConstraint: 0 },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

export interface ServerCertOptions {
  ca: KeyAndCert;
  names: SubjectNames;
  keySize: KeySize;
  validityDays: number;
}

export async function generateServerCertificate(opts: ServerCertOptions): Promise<KeyAndCert> {
  if (opts.names.dns.length + opts.names.ips.length === 0) throw new Error('a server certificate needs at least one name or address');
  const caCert = forge.pki.certificateFromPem(opts.ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(opts.ca.keyPem);
  const { publicKey, keyPem } = await rsaKey(opts.keySize);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  validity(cert, opts.validityDays);
  cert.setSubject([{ name: 'commonName', value: opts.names.dns[0] ?? opts.names.ips[0]! }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // Clients check SANs only (the CN is ignored by Go since 1.15), so every name goes here.
    { name: 'subjectAltName', altNames: [
      ...opts.names.dns.map((value) => ({ type: 2, value })),
      ...opts.names.ips.map((ip) => ({ type: 7, ip })),
    ] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}
