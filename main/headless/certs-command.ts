// `berth certs init|show`: create a local CA and a server certificate where the config's
// http.tls.certificate/key point (or --cert/--key), or show what is there. The config defaults
// to the one `berth serve` would use.
import { parseArgs } from 'node:util';
import type { CertificatesView } from '../certs/cert-service';
import type { CertificateInfo } from '../certs/describe';
import type { KeySize } from '../certs/generate';
import { resolveConfigSource } from '../config/config-source';

export const CERTS_USAGE = `Usage:
  berth certs init [--name NAME]... [--bits 2048|3072|4096] [--days N] [--new-ca] [--config FILE | --cert FILE --key FILE]
  berth certs show [--config FILE | --cert FILE]
Without --config (or --cert), the configuration \`berth serve\` would use.
Without --name the certificate covers this host's name, localhost, 127.0.0.1, ::1 and every
non-internal interface address.
`;

export async function runCerts(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, strict: true,
    options: {
      config: { type: 'string', short: 'c' }, cert: { type: 'string' }, key: { type: 'string' },
      name: { type: 'string', multiple: true }, bits: { type: 'string' }, days: { type: 'string' }, 'new-ca': { type: 'boolean' },
    },
  });
  let certificate = values.cert;
  let key = values.key;
  if (values.config || !certificate) {
    const from = resolveConfigSource(values.config);
    const { config } = await from.load();
    if (!config.http.tls) throw new Error(`${from.label} has no http.tls section (certificate and key paths); name them with --config FILE or --cert FILE --key FILE\n\n${CERTS_USAGE}`);
    certificate ??= config.http.tls.certificate;
    key ??= config.http.tls.key;
  }
  if (!certificate) throw new Error(`name the certificate: --config FILE or --cert FILE\n\n${CERTS_USAGE}`);
  // Loaded once a certs command runs, not whenever `berth` starts: it brings node-forge.
  const { initCertificates, showCertificates } = await import('../certs/cert-service');
  switch (positionals[0]) {
    case 'init': {
      if (!key) throw new Error('name the key file: --key FILE (or --config)');
      const view = await initCertificates({ certificate, key }, {
        ...(values.name ? { names: values.name.flatMap((n) => n.split(',')) } : {}),
        ...(values.bits ? { keySize: Number(values.bits) as KeySize } : {}),
        ...(values.days ? { validityDays: Number(values.days) } : {}),
        newCa: values['new-ca'] ?? false,
      });
      process.stdout.write(render(view));
      process.stdout.write(`\nClients trust it with the CA certificate ${view.caPath}; for Docker copy it to\n/etc/docker/certs.d/<host>:<port>/ca.crt on each client.\n`);
      return 0;
    }
    case 'show':
      process.stdout.write(render(await showCertificates({ certificate, key: key ?? '' })));
      return 0;
    default:
      process.stderr.write(CERTS_USAGE);
      return 2;
  }
}

function render(v: CertificatesView): string {
  const one = (title: string, c: CertificateInfo | undefined) => !c ? `${title}: none\n` : [
    `${title}:`,
    `  subject      ${c.subject}`,
    `  issuer       ${c.issuer}`,
    ...(c.dnsNames.length + c.ipAddresses.length ? [`  names        ${[...c.dnsNames, ...c.ipAddresses].join(', ')}`] : []),
    `  valid        ${c.notBefore} to ${c.notAfter}`,
    `  sha256       ${c.fingerprintSha256}`,
  ].join('\n') + '\n';
  return one('Server certificate', v.server) + v.chain.map((c, i) => one(`Chain ${i + 1}`, c)).join('') + one(`CA${v.caPath ? ` (${v.caPath})` : ''}`, v.ca);
}
