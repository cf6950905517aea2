// certs.*: the listener's certificate and Berth's local CA (where http.tls points, or the
// default files beside the config), and trusting the CA for a client on this machine. A new
// certificate reaches a TLS listener that is already running through its file watcher
// (tls-options.ts), without a restart.
import { readFile } from 'node:fs/promises';
import type { CertificatesState, CertificateView } from '../../preload/contract';
import type { CertificatesView, TlsPaths } from '../certs/cert-service';
import { defaultSubjectNames } from '../certs/default-names';
import type { CertificateInfo } from '../certs/describe';
import { installTrust, trustTarget } from '../docker-setup/trust';
import type { ConfigAccess } from './config-access';
import { ControlFailure } from './errors';
import type { Handlers } from './types';

/** The certificate code, loaded on the first certs.* call: it brings node-forge, which a registry
 * that never shows or makes a certificate should not hold in memory (issue 15). */
const certService = () => import('../certs/cert-service');

export function certsHandlers(access: ConfigAccess): Handlers<'certs'> {
  const paths = async (): Promise<TlsPaths> => {
    const tls = (await access.load()).config.http.tls;
    return tls ? { certificate: tls.certificate, key: tls.key } : { certificate: access.defaults.certificate, key: access.defaults.key };
  };
  const caPem = async () => {
    try {
      return await readFile((await certService()).caPaths(await paths()).cert, 'utf8');
    } catch {
      throw new ControlFailure('NOT_FOUND', 'There is no Berth CA yet. Generate a certificate first.');
    }
  };

  return {
    'certs.get': async () => state(await (await certService()).showCertificates(await paths())),
    'certs.generate': async ({ names, keySize, validityDays, newCa }) =>
      state(await (await certService()).initCertificates(await paths(), { names, keySize, validityDays, newCa: newCa ?? false })),
    'certs.import': async ({ certificatePem, keyPem }) => {
      const view = await (await certService()).importCertificate(await paths(), certificatePem, keyPem);
      return { ...state(view), warnings: view.warnings };
    },
    'certs.caPem': async () => ({ pem: await caPem(), fileName: 'ca.crt' }),
    'certs.trust': async ({ client, hostPort }) => installTrust(trustTarget(client, { hostPort, caPem: await caPem() })),
  };
}

function state(v: CertificatesView): CertificatesState {
  const names = defaultSubjectNames();
  return {
    server: v.server && certView(v.server),
    chain: v.chain.map(certView),
    ca: v.ca && certView(v.ca),
    suggestedNames: [...names.dns, ...names.ips],
  };
}

function certView(c: CertificateInfo): CertificateView {
  return {
    subject: c.subject, issuer: c.issuer, dnsNames: c.dnsNames, ipAddresses: c.ipAddresses,
    notBefore: c.notBefore, notAfter: c.notAfter, fingerprintSha256: c.fingerprintSha256,
  };
}
