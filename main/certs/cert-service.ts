// Certificates for the registry's TLS listener: create a local CA and a server certificate, or
// import a certificate the user already has, and write them where http.tls.certificate/key
// point. The CA lives beside the server certificate as ca.crt/ca.key, so regenerating the
// server certificate (new names) keeps the CA that clients already trust.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-file';
import { classifyNames, defaultSubjectNames, type SubjectNames } from './default-names';
import { describeCertificate, splitPemBundle, type CertificateInfo } from './describe';
import { generateCa, generateServerCertificate, KEY_SIZES, type KeyAndCert, type KeySize } from './generate';
import { CertificateError, validateCertificatePair } from './validate';

export interface TlsPaths { certificate: string; key: string }

export function caPaths(paths: TlsPaths): { cert: string; key: string } {
  const dir = dirname(paths.certificate);
  return { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
}

export interface InitOptions {
  /** Names and addresses for the SANs; defaults to defaultSubjectNames(). */
  names?: readonly string[];
  keySize?: KeySize;
  validityDays?: number;
  caValidityDays?: number;
  /** Make a new CA even if one exists (clients must then trust the new ca.crt). */
  newCa?: boolean;
}

export interface CertificatesView {
  server: CertificateInfo | undefined;
  chain: CertificateInfo[];
  ca: CertificateInfo | undefined;
  caPath: string | undefined;
}

export async function initCertificates(paths: TlsPaths, opts: InitOptions = {}): Promise<CertificatesView> {
  const keySize = opts.keySize ?? 2048;
  if (!KEY_SIZES.includes(keySize)) throw new CertificateError(`key size must be one of ${KEY_SIZES.join(', ')}`);
  const days = opts.validityDays ?? 825;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new CertificateError('validity must be 1 to 3650 days');
  const names: SubjectNames = opts.names && opts.names.length > 0 ? classifyNames(opts.names) : defaultSubjectNames();

  const ca = caPaths(paths);
  let caPair: KeyAndCert | undefined;
  if (!opts.newCa) caPair = await readPair(ca.cert, ca.key);
  if (!caPair) {
    caPair = await generateCa({ commonName: 'Berth local CA', keySize, validityDays: opts.caValidityDays ?? 3650 });
    await writeFileAtomic(ca.key, caPair.keyPem, 0o600);
    await writeFileAtomic(ca.cert, caPair.certPem, 0o644);
  }
  const server = await generateServerCertificate({ ca: caPair, names, keySize, validityDays: days });
  // Key first: a server that reloads on the certificate's change then finds a matching key.
  await writeFileAtomic(paths.key, server.keyPem, 0o600);
  await writeFileAtomic(paths.certificate, server.certPem, 0o644);
  return showCertificates(paths);
}

export async function importCertificate(paths: TlsPaths, bundlePem: string, keyPem: string): Promise<CertificatesView & { warnings: string[] }> {
  const { warnings } = validateCertificatePair(bundlePem, keyPem);
  await writeFileAtomic(paths.key, keyPem, 0o600);
  await writeFileAtomic(paths.certificate, bundlePem, 0o644);
  return { ...(await showCertificates(paths)), warnings };
}

export async function showCertificates(paths: TlsPaths): Promise<CertificatesView> {
  const bundle = await readFile(paths.certificate, 'utf8').catch(() => undefined);
  const certs = bundle ? splitPemBundle(bundle) : [];
  const ca = caPaths(paths);
  const caPem = await readFile(ca.cert, 'utf8').catch(() => undefined);
  return {
    server: certs[0] ? describeCertificate(certs[0]) : undefined,
    chain: certs.slice(1).map(describeCertificate),
    ca: caPem ? describeCertificate(caPem) : undefined,
    caPath: caPem ? ca.cert : undefined,
  };
}

async function readPair(certPath: string, keyPath: string): Promise<KeyAndCert | undefined> {
  try {
    return { certPem: await readFile(certPath, 'utf8'), keyPem: await readFile(keyPath, 'utf8') };
  } catch {
    return undefined;
  }
}
