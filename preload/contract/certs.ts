// The CA and server certificate of the TLS listener, and trusting the CA on this machine.

export interface CertificateView {
  subject: string;
  issuer: string;
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
}

export interface CertificatesState {
  server: CertificateView | undefined;
  chain: CertificateView[];
  ca: CertificateView | undefined;
  /** Names the UI proposes for a new certificate (hostname, localhost, addresses). */
  suggestedNames: string[];
}

export type TrustClient = 'docker' | 'podman' | 'containerd';

export type TrustOutcome =
  | { written: true; dir: string }
  | { written: false; dir: string; reason: string; commands: string[] };

export interface CertsMethods {
  'certs.get': { args: Record<string, never>; result: CertificatesState };
  'certs.generate': { args: { names: string[]; keySize: 2048 | 3072 | 4096; validityDays: number; newCa?: boolean }; result: CertificatesState };
  'certs.import': { args: { certificatePem: string; keyPem: string }; result: CertificatesState & { warnings: string[] } };
  /** The CA certificate in PEM, for "Save ca.crt". */
  'certs.caPem': { args: Record<string, never>; result: { pem: string; fileName: string } };
  /** Installs ca.crt for a client on this machine (certs.d / hosts.toml). */
  'certs.trust': { args: { client: TrustClient; hostPort: string }; result: TrustOutcome };
}
