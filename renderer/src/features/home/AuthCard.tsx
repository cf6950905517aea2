// Authentication: htpasswd users on or off, anonymous pulls, and the role of users without one.
import type { Role, Settings } from '../../../../preload/contract';
import { useAction, useCall } from '../../api/hooks';
import { Card } from '../../components/Card';
import { Field } from '../../components/Field';
import { Notice, serverFieldError } from '../../components/Notice';
import { href } from '../../components/router';
import { Toggle } from '../../components/Toggle';
import { ApplyOutcome } from './ApplyOutcome';
import { useDraft, type ApplySettings } from './use-settings';

type Draft = Pick<Settings['auth'], 'enabled' | 'anonymousPull' | 'defaultRole'>;

export function AuthCard({ auth, apply }: { auth: Settings['auth']; apply: ApplySettings }) {
  const [draft, setDraft, dirty] = useDraft<Draft>({ enabled: auth.enabled, anonymousPull: auth.anonymousPull, defaultRole: auth.defaultRole });
  const users = useCall('users.list', {});
  const action = useAction(apply);
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const count = users.data?.filter((u) => u.canLogIn).length;

  return (
    <Card title="Authentication" description="Require a user name and password (htpasswd) to push, and optionally to pull.">
      <form className="form" onSubmit={(e) => { e.preventDefault(); void action.run({ auth: draft }); }}>
        <Toggle label="Require login" checked={draft.enabled} onChange={(enabled) => set({ enabled })} />
        {draft.enabled ? (
          <>
            <Toggle label="Allow anonymous pulls" description="Docker’s registry-mirrors never sends credentials; keep this on for a mirror." checked={draft.anonymousPull} onChange={(anonymousPull) => set({ anonymousPull })} />
            <Field label="Role of users without one" error={serverFieldError(action.error, 'defaultRole')}>
              <select value={draft.defaultRole} onChange={(e) => set({ defaultRole: e.target.value as Role })} className="input-short">
                <option value="read">read (pull)</option>
                <option value="write">write (pull and push)</option>
                <option value="admin">admin (also delete)</option>
              </select>
            </Field>
            {count === 0 ? <Notice kind="warning">There are no users yet. <a href={href({ page: 'users' })}>Add a user</a> before turning login on, or nobody can push.</Notice> : null}
          </>
        ) : null}
        <p className="muted">
          <a href={href({ page: 'users' })}>Manage users{count !== undefined ? ` (${count})` : ''}</a>
        </p>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy || !dirty}>{action.busy ? 'Applying…' : 'Apply authentication settings'}</button>
        </div>
        <ApplyOutcome result={action.result} error={action.error} fields={['defaultRole']} />
      </form>
    </Card>
  );
}
