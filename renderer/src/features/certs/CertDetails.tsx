// One certificate: subject, issuer, SANs, validity with days left, SHA-256 fingerprint.
import type { CertificateView } from '../../../../preload/contract';
import { CopyButton } from '../../components/CopyButton';
import { daysUntil, formatDate } from '../../lib/format';

export function CertDetails({ cert }: { cert: CertificateView }) {
  const days = daysUntil(cert.notAfter);
  const names = [...cert.dnsNames, ...cert.ipAddresses];
  return (
    <dl className="details">
      <dt>Subject</dt>
      <dd>{cert.subject}</dd>
      <dt>Issuer</dt>
      <dd>{cert.issuer}</dd>
      {names.length > 0 ? (
        <>
          <dt>Names (SANs)</dt>
          <dd>
            <ul className="plain-list">
              {names.map((n) => <li key={n} className="mono">{n}</li>)}
            </ul>
          </dd>
        </>
      ) : null}
      <dt>Valid</dt>
      <dd>
        {formatDate(cert.notBefore)} – {formatDate(cert.notAfter)}{' '}
        <span className={days < 0 ? 'badge badge-danger' : days < 30 ? 'badge badge-warning' : 'badge'}>
          {days < 0 ? 'expired' : `${days} days left`}
        </span>
      </dd>
      <dt>SHA-256 fingerprint</dt>
      <dd className="fingerprint">
        <code>{cert.fingerprintSha256}</code> <CopyButton text={cert.fingerprintSha256} />
      </dd>
    </dl>
  );
}
