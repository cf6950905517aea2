// Import a certificate issued elsewhere: PEM certificate (+ chain) and its private key.
import { useState } from 'react';
import type { CertificatesState } from '../../../../preload/contract';
import { invoke } from '../../api/control';
import { useAction } from '../../api/hooks';
import { Card } from '../../components/Card';
import { readPickedFile } from '../../lib/download';
import { Field } from '../../components/Field';
import { ErrorNotice, Notice, serverFieldError } from '../../components/Notice';

function checkCertificate(pem: string): string | undefined {
  if (!pem.trim()) return 'Paste the certificate (and its chain) or choose a file.';
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return 'This is not a PEM certificate: it should contain “-----BEGIN CERTIFICATE-----”.';
  return undefined;
}

function checkKey(pem: string): string | undefined {
  if (!pem.trim()) return 'Paste the private key or choose a file.';
  if (!/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(pem)) return 'This is not a PEM private key: it should contain “-----BEGIN PRIVATE KEY-----”.';
  if (pem.includes('ENCRYPTED')) return 'The key is encrypted; export it without a passphrase.';
  return undefined;
}

function PemField({ label, hint, value, onChange, error }: { label: string; hint: string; value: string; onChange(v: string): void; error: string | undefined }) {
  return (
    <div className="pem-field">
      <Field label={label} hint={hint} error={error}>
        <textarea rows={5} value={value} onChange={(e) => onChange(e.target.value)} spellCheck={false} className="mono" />
      </Field>
      <label className="btn btn-small file-button">
        Choose file…
        <input type="file" accept=".pem,.crt,.cer,.key" aria-label={`${label} file`} onChange={(e) => void readPickedFile(e.target).then((t) => t !== undefined && onChange(t))} />
      </label>
    </div>
  );
}

export function ImportForm({ onDone }: { onDone(next: CertificatesState): void }) {
  const [cert, setCert] = useState('');
  const [key, setKey] = useState('');
  const [checks, setChecks] = useState<{ cert?: string; key?: string }>({});
  const action = useAction(async () => {
    const next = await invoke('certs.import', { certificatePem: cert, keyPem: key });
    onDone(next);
    setKey('');
    return next;
  });

  return (
    <Card title="Import a certificate" description="A certificate from your own CA or a public one. Berth checks that the key matches and the chain is complete.">
      <form className="form" onSubmit={(e) => {
        e.preventDefault();
        const found = { cert: checkCertificate(cert), key: checkKey(key) };
        setChecks(found);
        if (!found.cert && !found.key) void action.run();
      }}>
        <PemField label="Certificate and chain (PEM)" hint="Server certificate first, then intermediates." value={cert} onChange={setCert}
          error={checks.cert ?? serverFieldError(action.error, 'certificatePem')} />
        <PemField label="Private key (PEM)" hint="Unencrypted; stored next to the certificate, readable only by you." value={key} onChange={setKey}
          error={checks.key ?? serverFieldError(action.error, 'keyPem')} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy}>{action.busy ? 'Importing…' : 'Import'}</button>
        </div>
        <ErrorNotice error={action.error} fields={['certificatePem', 'keyPem']} />
        {action.result ? (
          <Notice kind={action.result.warnings.length ? 'warning' : 'success'}>
            Imported the certificate for {action.result.server?.subject}.
            {action.result.warnings.length ? <ul>{action.result.warnings.map((w) => <li key={w}>{w}</li>)}</ul> : null}
          </Notice>
        ) : null}
      </form>
    </Card>
  );
}
