// Authentication: htpasswd users on or off, anonymous pulls, and the role of users without one.
import type { Role, Settings } from '../../../../preload/contract';
import { useAction, useCall } from '../../api/hooks';
import { Card } from '../../components/Card';
import { Notice, serverFieldError } from '../../components/Notice';
import { href } from '../../lib/router';
import { ApplyOutcome } from './ApplyOutcome';
import { SettingField } from './SettingField';
import { useDraft, type ApplySettings } from './use-settings';

type Draft = Pick<Settings['auth'], 'enabled' | 'anonymousPull' | 'defaultRole'>;

const ROLE_WORDS: Record<Role, string> = { read: 'read (pull)', write: 'write (pull and push)', admin: 'admin (also delete)' };

export function AuthCard({ auth, apply }: { auth: Settings['auth']; apply: ApplySettings }) {
  const [draft, setDraft, dirty] = useDraft<Draft>({ enabled: auth.enabled, anonymousPull: auth.anonymousPull, defaultRole: auth.defaultRole });
  const users = useCall('users.list', {});
  const action = useAction(apply);
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const count = users.data?.filter((u) => u.canLogIn).length;

  return (
    <Card title="Authentication" description="Require a user name and password (htpasswd) to push, and optionally to pull.">
      <form className="form" onSubmit={(e) => { e.preventDefault(); void action.run({ auth: draft }); }}>
        <SettingField field="auth.enabled" value={draft.enabled} onChange={(enabled) => set({ enabled: enabled === true })} />
        {draft.enabled ? (
          <>
            <SettingField field="auth.anonymousPull" value={draft.anonymousPull} onChange={(anonymousPull) => set({ anonymousPull: anonymousPull === true })} />
            <SettingField field="auth.defaultRole" value={draft.defaultRole} onChange={(role) => set({ defaultRole: role as Role })} error={serverFieldError(action.error, 'defaultRole')} choices={ROLE_WORDS} short />
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
