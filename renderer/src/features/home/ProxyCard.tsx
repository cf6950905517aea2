// Proxy (pull-through cache) mode: upstream URL, credentials, TTL, whether pushes are accepted and
// under which local namespaces.
import { useState } from 'react';
import type { Settings } from '../../../../preload/contract';
import { useAction } from '../../api/hooks';
import { Card } from '../../components/Card';
import { Field } from '../../components/Field';
import { serverFieldError } from '../../components/Notice';
import { Toggle } from '../../components/Toggle';
import { ApplyOutcome } from './ApplyOutcome';
import { LocalNamespacesEditor } from './LocalNamespacesEditor';
import { useDraft, type ApplySettings } from './use-settings';
import { checkTtl, checkUpstreamUrl } from './validation';

type Draft = Omit<Settings['proxy'], 'password' | 'hasPassword'>;

export function ProxyCard({ proxy, apply }: { proxy: Settings['proxy']; apply: ApplySettings }) {
  const [draft, setDraft, dirty] = useDraft<Draft>({ enabled: proxy.enabled, remoteUrl: proxy.remoteUrl, username: proxy.username, ttl: proxy.ttl, allowPush: proxy.allowPush, localNamespaces: proxy.localNamespaces });
  const [password, setPassword] = useState('');
  const [checks, setChecks] = useState<{ remoteUrl?: string; ttl?: string }>({});
  const action = useAction(apply);
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });

  const submit = async () => {
    const found = draft.enabled ? { remoteUrl: checkUpstreamUrl(draft.remoteUrl), ttl: checkTtl(draft.ttl) } : {};
    setChecks(found);
    if (Object.values(found).some(Boolean)) return;
    const result = await action.run({ proxy: { ...draft, remoteUrl: draft.remoteUrl.trim(), ttl: draft.ttl.trim(), ...(password ? { password } : {}) } });
    if (result) setPassword('');
  };

  return (
    <Card title="Proxy mode" description="Serve as a pull-through cache of another registry, such as Docker Hub. Pulled content is kept and marked as cached in the catalog.">
      <form className="form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <Toggle label="Proxy an upstream registry" checked={draft.enabled} onChange={(enabled) => set({ enabled })} />
        {draft.enabled ? (
          <>
            <Field label="Upstream URL" hint="With scheme, e.g. https://registry-1.docker.io" error={checks.remoteUrl ?? serverFieldError(action.error, 'remoteUrl')}>
              <input value={draft.remoteUrl} onChange={(e) => set({ remoteUrl: e.target.value })} placeholder="https://registry-1.docker.io" spellCheck={false} />
            </Field>
            <div className="field-row">
              <Field label="Upstream username" hint="Optional" error={serverFieldError(action.error, 'username')}>
                <input value={draft.username} onChange={(e) => set({ username: e.target.value })} autoComplete="off" spellCheck={false} />
              </Field>
              <Field label="Upstream password" hint={proxy.hasPassword ? 'A password is stored; leave empty to keep it.' : 'Optional'} error={serverFieldError(action.error, 'password')}>
                <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
              </Field>
            </div>
            <Field label="Cache TTL" hint="How long cached content is kept, e.g. 168h; 0 keeps it forever." error={checks.ttl ?? serverFieldError(action.error, 'ttl')}>
              <input value={draft.ttl} onChange={(e) => set({ ttl: e.target.value })} className="input-short" spellCheck={false} />
            </Field>
            <Toggle label="Accept pushes while proxying" description="Only under the local namespaces below; off makes the proxy read-only, like registry:3’s." checked={draft.allowPush} onChange={(allowPush) => set({ allowPush })} />
            {draft.allowPush ? (
              <LocalNamespacesEditor value={draft.localNamespaces} onChange={(localNamespaces) => set({ localNamespaces })} serverError={serverFieldError(action.error, 'localNamespaces')} />
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
