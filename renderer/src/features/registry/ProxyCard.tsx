// Proxy (pull-through cache) mode: upstream URL, credentials, TTL, whether pushes are accepted and
// under which local namespaces.
import { useState } from 'react';
import type { Settings } from '../../../../preload/contract';
import { useAction } from '../../api/hooks';
import { Card } from '../../components/Card';
import { serverFieldError } from '../../components/Notice';
import { ApplyOutcome } from './ApplyOutcome';
import { LocalNamespacesEditor } from './LocalNamespacesEditor';
import { useDraft, type ApplySettings } from './use-settings';
import { SettingField, settingRow } from './SettingField';

type Draft = Omit<Settings['proxy'], 'password' | 'hasPassword'>;

export function ProxyCard({ proxy, apply }: { proxy: Settings['proxy']; apply: ApplySettings }) {
  const [draft, setDraft, dirty] = useDraft<Draft>({ enabled: proxy.enabled, remoteUrl: proxy.remoteUrl, username: proxy.username, ttl: proxy.ttl, allowPush: proxy.allowPush, localNamespaces: proxy.localNamespaces });
  const [password, setPassword] = useState('');
  const action = useAction(apply);
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });

  const submit = async () => {
    const result = await action.run({ proxy: { ...draft, remoteUrl: draft.remoteUrl.trim(), ttl: draft.ttl.trim(), ...(password ? { password } : {}) } });
    if (result) setPassword('');
  };

  return (
    <Card title="Proxy mode" description="Pulled content is kept and marked as cached in the catalog.">
      <form className="form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <SettingField field="proxy.enabled" value={draft.enabled} onChange={(enabled) => set({ enabled: enabled === true })} />
        {draft.enabled ? (
          <>
            <SettingField field="proxy.remoteUrl" value={draft.remoteUrl} onChange={(remoteUrl) => set({ remoteUrl: String(remoteUrl) })} error={serverFieldError(action.error, 'remoteUrl')} />
            <div className="field-row">
              <SettingField field="proxy.username" value={draft.username} onChange={(username) => set({ username: String(username) })} error={serverFieldError(action.error, 'username')} />
              <SettingField field="proxy.password" value={password} onChange={(p) => setPassword(String(p))} error={serverFieldError(action.error, 'password')} hint={proxy.hasPassword ? 'A password is stored; leave empty to keep it.' : undefined} />
            </div>
            <SettingField field="proxy.ttl" value={draft.ttl} onChange={(ttl) => set({ ttl: String(ttl) })} error={serverFieldError(action.error, 'ttl')} short />
            <SettingField field="proxy.allowPush" value={draft.allowPush} onChange={(allowPush) => set({ allowPush: allowPush === true })} />
            {draft.allowPush ? (
              <LocalNamespacesEditor label={settingRow('proxy.localNamespaces').label} help={settingRow('proxy.localNamespaces').help} value={draft.localNamespaces} onChange={(localNamespaces) => set({ localNamespaces })} serverError={serverFieldError(action.error, 'localNamespaces')} />
            ) : null}
          </>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy || (!dirty && !password)}>{action.busy ? 'Applying…' : 'Apply proxy settings'}</button>
        </div>
        <ApplyOutcome result={action.result} error={action.error} fields={draft.enabled ? ['remoteUrl', 'username', 'password', 'ttl', 'localNamespaces'] : []} />
      </form>
    </Card>
  );
}
