// TLS: on or off, with a certificate generated here (Berth's own CA) or imported on the
// Certificates page.
import type { Settings } from '../../../../preload/contract';
import { invoke } from '../../api/control';
import { useAction, useCall } from '../../api/hooks';
import { Card } from '../../components/Card';
import { daysUntil, formatDate } from '../../lib/format';
import { ErrorNotice, Notice, serverFieldError } from '../../components/Notice';
import { href } from '../../lib/router';
import { ApplyOutcome } from './ApplyOutcome';
import { SettingField } from './SettingField';
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
        <SettingField field="tls.enabled" value={draft.enabled} onChange={(enabled) => set({ enabled: enabled === true })} />
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
          <SettingField field="tls.minimumTls" value={draft.minimumTls} onChange={(v) => set({ minimumTls: v as Draft['minimumTls'] })} error={serverFieldError(action.error, 'minimumTls')} choices={{ 'tls1.2': 'TLS 1.2', 'tls1.3': 'TLS 1.3' }} short />
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
