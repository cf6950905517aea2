// A new server certificate from Berth's CA with the names clients use (prefilled with the
// suggested names and the current SANs); optionally a new CA, which every client must re-trust.
import { useState } from 'react';
import type { CertificatesState } from '../../../../preload/contract';
import { invoke } from '../../api/control';
import { useAction } from '../../api/hooks';
import { Card } from '../../components/Card';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Field } from '../../components/Field';
import { ErrorNotice, Notice, serverFieldError } from '../../components/Notice';
import { Toggle } from '../../components/Toggle';

type KeySize = 2048 | 3072 | 4096;

export function parseNames(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((n) => n.trim()).filter(Boolean))];
}

export function checkNames(names: string[]): string | undefined {
  if (names.length === 0) return 'Enter at least one host name or IP address.';
  const bad = names.find((n) => n.includes('://') || n.includes('/') || /:\d+$/.test(n) && !n.includes('::'));
  if (bad) return `“${bad}” is not a bare host name or IP address (no scheme, path or port).`;
  return undefined;
}

export function GenerateForm({ state, onDone }: { state: CertificatesState; onDone(next: CertificatesState): void }) {
  const initial = state.server ? [...new Set([...state.server.dnsNames, ...state.server.ipAddresses, ...state.suggestedNames])] : state.suggestedNames;
  const [names, setNames] = useState(initial.join('\n'));
  const [keySize, setKeySize] = useState<KeySize>(2048);
  const [days, setDays] = useState('825');
  const [newCa, setNewCa] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [checks, setChecks] = useState<{ names?: string; days?: string }>({});
  const action = useAction(async () => {
    const next = await invoke('certs.generate', { names: parseNames(names), keySize, validityDays: Number(days), ...(newCa ? { newCa: true } : {}) });
    onDone(next);
    setConfirming(false);
    return next;
  });

  const submit = () => {
    const found = {
      names: checkNames(parseNames(names)),
      days: /^\d+$/.test(days) && Number(days) >= 1 && Number(days) <= 3650 ? undefined : 'Enter a number of days between 1 and 3650.',
    };
    setChecks(found);
    if (found.names || found.days) return;
    if (newCa || state.server) setConfirming(true);
    else void action.run();
  };

  return (
    <Card title={state.server ? 'Regenerate the server certificate' : 'Generate a certificate'} description="Signed by Berth’s local CA. List every name and address clients use to reach the registry.">
      <form className="form" onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <Field label="Names and addresses" hint="One per line: host names and IP addresses, without scheme or port." error={checks.names ?? serverFieldError(action.error, 'names')}>
          <textarea rows={4} value={names} onChange={(e) => setNames(e.target.value)} spellCheck={false} className="mono" />
        </Field>
        <div className="field-row">
          <Field label="Key size">
            <select value={keySize} onChange={(e) => setKeySize(Number(e.target.value) as KeySize)}>
              <option value={2048}>RSA 2048</option>
              <option value={3072}>RSA 3072</option>
              <option value={4096}>RSA 4096</option>
            </select>
          </Field>
          <Field label="Valid for (days)" hint="Apple platforms reject server certificates valid for more than 825 days." error={checks.days ?? serverFieldError(action.error, 'validityDays')}>
            <input value={days} onChange={(e) => setDays(e.target.value)} inputMode="numeric" className="input-short" />
          </Field>
        </div>
        <Toggle label="Also create a new CA" description="Every client that trusts the current CA must trust the new one." checked={newCa} onChange={setNewCa} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy}>{action.busy ? 'Generating…' : state.server ? 'Regenerate' : 'Generate'}</button>
        </div>
        {!confirming ? <ErrorNotice error={action.error} fields={['names', 'validityDays']} /> : null}
        {action.result ? <Notice kind="success">New certificate in use for {parseNames(names).join(', ')}.</Notice> : null}
      </form>
      {confirming ? (
        <ConfirmDialog title={newCa ? 'Replace the CA and the certificate?' : 'Replace the server certificate?'} confirmLabel={newCa ? 'Create new CA' : 'Regenerate'} danger={newCa}
          typeToConfirm={newCa ? 'new CA' : undefined} busy={action.busy} error={action.error?.message}
          onConfirm={() => void action.run()} onCancel={() => setConfirming(false)}>
          {newCa ? (
            <p>Clients that trust the current CA will reject the registry until they trust the new <code>ca.crt</code> (docker, podman, containerd, browsers).</p>
          ) : (
            <p>The registry switches to the new certificate. Clients trusting Berth’s CA keep working.</p>
          )}
        </ConfirmDialog>
      ) : null}
    </Card>
  );
}
