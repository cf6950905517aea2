// Checks a certificate (with its chain) and key before Berth serves them: the key must belong
// to the certificate, the certificate must be in its validity period, and the user is told
// which names it covers, so a wrong file fails here rather than in every client.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { CertificateError } from './certificate-error';
import { describeCertificate, splitPemBundle, type CertificateInfo } from './describe';

export interface ValidatedPair { certificate: CertificateInfo; chain: CertificateInfo[]; warnings: string[] }

export { CertificateError };

export function validateCertificatePair(bundlePem: string, keyPem: string): ValidatedPair {
  const now = new Date();
  const certs = splitPemBundle(bundlePem);
  if (certs.length === 0) throw new CertificateError('no PEM certificate found (expected -----BEGIN CERTIFICATE-----)');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certs[0]!);
  } catch (err) {
    throw new CertificateError(`the certificate cannot be parsed: ${(err as Error).message}`);
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new CertificateError(`the private key cannot be parsed (encrypted keys are not supported): ${(err as Error).message}`);
  }
  if (!leaf.checkPrivateKey(key)) throw new CertificateError('the private key does not match the certificate');
  if (new Date(leaf.validTo) < now) throw new CertificateError(`the certificate expired on ${new Date(leaf.validTo).toISOString()}`);
  if (new Date(leaf.validFrom) > now) throw new CertificateError(`the certificate is not valid before ${new Date(leaf.validFrom).toISOString()}`);
  const certificate = describeCertificate(certs[0]!);
  const chain = certs.slice(1).map(describeCertificate);
  const warnings: string[] = [];
  if (certificate.dnsNames.length + certificate.ipAddresses.length === 0) {
    warnings.push('the certificate has no subject alternative names; Docker and other Go clients will reject it');
  }
  for (let i = 1; i < certs.length; i++) {
    if (!new X509Certificate(certs[i - 1]!).verify(new X509Certificate(certs[i]!).publicKey)) {
      warnings.push(`certificate ${i} of the chain did not sign certificate ${i - 1}`);
    }
  }
  const daysLeft = (new Date(leaf.validTo).getTime() - now.getTime()) / 86_400_000;
  if (daysLeft < 30) warnings.push(`the certificate expires in ${Math.floor(daysLeft)} days`);
  return { certificate, chain, warnings };
}
