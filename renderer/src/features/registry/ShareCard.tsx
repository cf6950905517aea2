// "Share on the network": the one switch between a registry only this computer reaches
// (loopback) and one every machine on the network reaches, with what that exposes and the offer
// to require login for pushes while pulls stay open (anonymous pull + htpasswd).
import type { Settings } from '../../../../preload/contract';
import { useAction, useCall } from '../../api/hooks';
import { Card } from '../../components/Card';
import { Notice } from '../../components/Notice';
import { href } from '../../lib/router';
import { Toggle } from '../../components/Toggle';
import { ApplyOutcome } from './ApplyOutcome';
import { SettingField } from './SettingField';
import { useDraft, type ApplySettings } from './use-settings';

/** What anyone who reaches the port may do (with `auth` as it will be), in words. */
function exposure(settings: Settings, auth: Pick<Settings['auth'], 'enabled' | 'anonymousPull'>): string {
  const { deleteEnabled, port } = settings;
  if (!auth.enabled) return `Anyone who can reach port ${port} can pull, push${deleteEnabled ? ' and delete' : ''} images: there is no login.`;
  if (auth.anonymousPull) return `Anyone who can reach port ${port} can pull; pushing${deleteEnabled ? ' and deleting' : ''} needs a login.`;
  return `Only users who log in can pull or push.`;
}

export function ShareCard({ settings, apply }: { settings: Settings; apply: ApplySettings }) {
  const [draft, setDraft] = useDraft({ share: settings.shareOnNetwork, requireLogin: true });
  const { share, requireLogin } = draft;
  const users = useCall('users.list', {});
  const action = useAction(apply);
  const offerLogin = share && !settings.auth.enabled;
  // Already shared without login: turning login on is a change of its own.
  const dirty = share !== settings.shareOnNetwork || (offerLogin && requireLogin);
  const noUsers = users.data?.filter((u) => u.canLogIn).length === 0;

  const submit = async () => {
    const login = offerLogin && requireLogin ? { auth: { enabled: true, anonymousPull: true } } : {};
    await action.run({ shareOnNetwork: share, ...login });
  };

  return (
    <Card title="Network" description="Who can reach the registry. Changing it restarts the registry.">
      <form className="form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <SettingField
          field="shareOnNetwork"
          hint={share
            ? `Other machines and containers reach the registry at this computer’s addresses, port ${settings.port}.`
            : `Only this computer reaches the registry (localhost:${settings.port}); other machines cannot.`}
          value={share}
          onChange={(next) => setDraft({ ...draft, share: next === true })}
        />
        {share ? (
          <Notice kind={settings.auth.enabled || (offerLogin && requireLogin) ? 'info' : 'warning'}>
            <span data-testid="share-exposure">{exposure(settings, offerLogin && requireLogin ? { enabled: true, anonymousPull: true } : settings.auth)}</span>
          </Notice>
        ) : null}
        {offerLogin ? (
          <>
            <Toggle
              label="Require login for pushes"
              description="Pulls stay open (as a Docker mirror needs); pushes and deletes need a user name and password."
              checked={requireLogin}
              onChange={(next) => setDraft({ ...draft, requireLogin: next })}
            />
            {requireLogin && noUsers ? (
              <Notice kind="warning">There are no users yet: <a href={href({ page: 'users' })}>add a user</a> so someone can push.</Notice>
            ) : null}
          </>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy || !dirty}>{action.busy ? 'Applying…' : 'Apply'}</button>
        </div>
        <ApplyOutcome result={action.result} error={action.error} fields={[]} />
      </form>
    </Card>
  );
}
