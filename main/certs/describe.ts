// What a user needs to know about a certificate: who it is for (subject, SANs), who vouches
// for it, when it expires, and a fingerprint to compare out of band.
import { forge } from './forge-lib';
import type { CertificateView } from '../../preload/contract/certs';

/** What the UI shows (the contract's view) plus what the CLI and validation also use. */
export interface CertificateInfo extends CertificateView {
  serialNumber: string;
  isCa: boolean;
  selfSigned: boolean;
}

function dn(attrs: forge.pki.CertificateField[]): string {
  return attrs.map((a) => `${a.shortName ?? a.name}=${String(a.value)}`).join(', ');
}

export function describeCertificate(pem: string): CertificateInfo {
  const cert = forge.pki.certificateFromPem(pem);
  const san = cert.getExtension('subjectAltName') as { altNames?: Array<{ type: number; value?: string; ip?: string }> } | null;
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const n of san?.altNames ?? []) {
    if (n.type === 2 && n.value) dnsNames.push(n.value);
    if (n.type === 7 && n.ip) ipAddresses.push(n.ip);
  }
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
  const fp = forge.md.sha256.create().update(der).digest().toHex().toUpperCase().match(/../g)!.join(':');
  const bc = cert.getExtension('basicConstraints') as { cA?: boolean } | null;
  return {
    subject: dn(cert.subject.attributes),
    issuer: dn(cert.issuer.attributes),
    dnsNames,
    ipAddresses,
    notBefore: cert.validity.notBefore.toISOString(),
    notAfter: cert.validity.notAfter.toISOString(),
    serialNumber: cert.serialNumber,
    fingerprintSha256: fp,
    isCa: bc?.cA === true,
    selfSigned: dn(cert.subject.attributes) === dn(cert.issuer.attributes),
  };
}

/** Splits a PEM bundle (certificate followed by its chain) into single certificates. */
export function splitPemBundle(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
