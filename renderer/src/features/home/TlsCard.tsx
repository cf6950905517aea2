// TLS: on or off, with a certificate generated here (Berth's own CA) or imported on the
// Certificates page.
import type { Settings } from '../../../../preload/contract';
import { invoke } from '../../api/control';
import { useAction, useCall } from '../../api/hooks';
import { Card } from '../../components/Card';
import { Field } from '../../components/Field';
import { daysUntil, formatDate } from '../../components/format';
import { ErrorNotice, Notice, serverFieldError } from '../../components/Notice';
import { href } from '../../components/router';
import { Toggle } from '../../components/Toggle';
import { ApplyOutcome } from './ApplyOutcome';
import { useDraft, type ApplySettings } from './use-settings';

type Draft = Pick<Settings['tls'], 'enabled' | 'minimumTls'>;

export function TlsCard({ tls, apply }: { tls: Settings['tls']; apply: ApplySettings }) {
  const [draft, setDraft, dirty] = useDraft<Draft>({ enabled: tls.enabled, minimumTls: tls.minimumTls });
  const certs = useCall('certs.get', {});
  const action = useAction(apply);
  const generate = useAction(async () => {
    const names = certs.data?.suggestedNames ?? [];
    const state = await invoke('certs.generate', { names, keySize: 2048, validityDays: 825 });
    certs.reload();
    return state;
  });
  const server = certs.data?.server;
  const missing = draft.enabled && certs.data !== undefined && !server;

  return (
    <Card title="TLS" description="Serve HTTPS with a certificate from Berth’s own CA, or one you import. Clients then need to trust the CA (Certificates page).">
      <form className="form" onSubmit={(e) => { e.preventDefault(); if (!missing) void action.run({ tls: draft }); }}>
        <Toggle label="Serve over HTTPS" checked={draft.enabled} onChange={(enabled) => set({ enabled })} />
        {server ? (
          <p className="muted">
            Certificate for {[...server.dnsNames, ...server.ipAddresses].join(', ') || server.subject}; expires {formatDate(server.notAfter)} ({daysUntil(server.notAfter)} days).
            {' '}<a href={href({ page: 'certs' })}>Details, regenerate or import</a>
          </p>
        ) : certs.data ? (
          <div className="inline-actions">
            <span className="muted">No certificate yet.</span>
            <button type="button" className="btn" disabled={generate.busy} onClick={() => void generate.run()}>{generate.busy ? 'Generating…' : 'Generate certificate'}</button>
            <a href={href({ page: 'certs' })}>or import one</a>
          </div>
        ) : null}
        {generate.result ? <Notice kind="success">Generated a certificate for {generate.result.server?.dnsNames.concat(generate.result.server.ipAddresses).join(', ')}.</Notice> : null}
        <ErrorNotice error={generate.error ?? certs.error} />
        {draft.enabled ? (
          <Field label="Minimum TLS version" error={serverFieldError(action.error, 'minimumTls')}>
            <select value={draft.minimumTls} onChange={(e) => set({ minimumTls: e.target.value as Draft['minimumTls'] })} className="input-short">
              <option value="tls1.2">TLS 1.2</option>
              <option value="tls1.3">TLS 1.3</option>
            </select>
          </Field>
        ) : null}
        {missing ? <p className="field-error" role="alert">Generate or import a certificate before turning TLS on.</p> : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy || !dirty || missing}>{action.busy ? 'Applying…' : 'Apply TLS settings'}</button>
        </div>
        <ApplyOutcome result={action.result} error={action.error} fields={['minimumTls']} />
      </form>
    </Card>
  );

  function set(patch: Partial<Draft>) {
    setDraft({ ...draft, ...patch });
  }
}
