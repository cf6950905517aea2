// Save ca.crt, and install it for docker / podman / containerd on this machine (certs.d); when
// Berth may not write there, the exact commands to run instead.
import { useState } from 'react';
import type { ClientAddress, TrustClient, TrustOutcome } from '../../../../preload/contract';
import { invoke } from '../../api/control';
import { useAction } from '../../api/hooks';
import { CopyLine } from '../../components/CopyButton';
import { downloadText } from '../../lib/download';
import { Field } from '../../components/Field';
import { ErrorNotice, Notice } from '../../components/Notice';

const CLIENTS: TrustClient[] = ['docker', 'podman', 'containerd'];

export function SaveCaButton() {
  const save = useAction(async () => {
    const { pem, fileName } = await invoke('certs.caPem', {});
    downloadText(fileName || 'ca.crt', pem, 'application/x-pem-file');
    return true;
  });
  return (
    <>
      <button type="button" className="btn" onClick={() => void save.run()} disabled={save.busy}>Save ca.crt</button>
      <ErrorNotice error={save.error} />
    </>
  );
}

export function TrustPanel({ addresses }: { addresses: ClientAddress[] }) {
  const [hostPort, setHostPort] = useState(addresses[0]?.hostPort ?? '');
  const [outcomes, setOutcomes] = useState<Array<{ client: TrustClient; outcome: TrustOutcome }>>([]);
  const trust = useAction(async (client: TrustClient) => {
    const outcome = await invoke('certs.trust', { client, hostPort });
    setOutcomes((list) => [...list.filter((o) => o.client !== client), { client, outcome }]);
    return outcome;
  });

  return (
    <div className="form">
      <Field label="Address clients use" hint="The CA is installed for this host:port (certs.d/<host:port>).">
        {addresses.length > 0 ? (
          <select value={hostPort} onChange={(e) => setHostPort(e.target.value)}>
            {addresses.map((a) => <option key={a.hostPort} value={a.hostPort}>{a.hostPort} ({a.source})</option>)}
          </select>
        ) : (
          <input value={hostPort} onChange={(e) => setHostPort(e.target.value)} placeholder="myhost:5000" />
        )}
      </Field>
      <div className="inline-actions">
        {CLIENTS.map((c) => (
          <button key={c} type="button" className="btn" disabled={trust.busy || !hostPort} onClick={() => void trust.run(c)}>Trust for {c}</button>
        ))}
      </div>
      <ErrorNotice error={trust.error} />
      {outcomes.map(({ client, outcome }) =>
        outcome.written ? (
          <Notice key={client} kind="success">{client}: installed ca.crt in <code>{outcome.dir}</code>.</Notice>
        ) : (
          <Notice key={client} kind="warning">
            {client}: Berth could not write <code>{outcome.dir}</code> ({outcome.reason}). Run these commands:
            {outcome.commands.map((c) => <CopyLine key={c} text={c} />)}
          </Notice>
        ),
      )}
    </div>
  );
}
