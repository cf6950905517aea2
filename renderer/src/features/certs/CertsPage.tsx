// Certificates: the CA and the server certificate, regenerate, import, save and trust ca.crt.
import { useState } from 'react';
import type { CertificatesState } from '../../../../preload/contract';
import { useCall } from '../../api/hooks';
import { useRegistryStatus } from '../../api/status';
import { Card, Loading } from '../../components/Card';
import { ErrorNotice, Notice } from '../../components/Notice';
import { CertDetails } from './CertDetails';
import { GenerateForm } from './GenerateForm';
import { ImportForm } from './ImportForm';
import { SaveCaButton, TrustPanel } from './TrustPanel';

export function CertsPage() {
  const loaded = useCall('certs.get', {});
  const { revision } = useRegistryStatus();
  const overview = useCall('registry.overview', {}, { refreshKey: revision });
  const [state, setState] = useState<CertificatesState>();
  const certs = state ?? loaded.data;

  return (
    <div className="page">
      <h1>Certificates</h1>
      {!certs ? (
        loaded.error ? <ErrorNotice error={loaded.error} /> : <Loading what="certificates" />
      ) : (
        <>
          <Card title="Certificate authority" description="Clients trust the registry by trusting this CA." actions={certs.ca ? <SaveCaButton /> : undefined}>
            {certs.ca ? <CertDetails cert={certs.ca} /> : <p className="muted">No CA yet: generating a certificate creates one.</p>}
          </Card>
          <Card title="Server certificate">
            {certs.server ? <CertDetails cert={certs.server} /> : <p className="muted">No server certificate yet. Generate one below, or import your own.</p>}
            {certs.chain.length > 0 ? (
              <details>
                <summary>Chain ({certs.chain.length})</summary>
                {certs.chain.map((c) => <CertDetails key={c.fingerprintSha256} cert={c} />)}
              </details>
            ) : null}
          </Card>
          {certs.ca ? (
            <Card title="Trust on this machine" description="Installs ca.crt where docker, podman and containerd look for this registry’s CA.">
              <TrustPanel key={overview.data?.addresses.map((a) => a.hostPort).join()} addresses={overview.data?.addresses ?? []} />
            </Card>
          ) : null}
          <GenerateForm key={certs.server?.fingerprintSha256 ?? 'none'} state={certs} onDone={setState} />
          <ImportForm onDone={setState} />
          {overview.data && overview.data.status.status === 'running' && !overview.data.status.tls && certs.server ? (
            <Notice kind="info">TLS is off: turn it on in the TLS section of the Home page to serve with this certificate.</Notice>
          ) : null}
        </>
      )}
    </div>
  );
}
