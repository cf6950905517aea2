// Users: the htpasswd users with their roles; add, reset a password, change a role, remove.
import { useState } from 'react';
import type { Role, UserView } from '../../../../preload/contract';
import { invoke } from '../../api/control';
import { useAction, useCall } from '../../api/hooks';
import { Card, Loading } from '../../components/Card';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice, Notice } from '../../components/Notice';
import { AddUserForm } from './AddUserForm';
import { ResetPasswordForm } from './ResetPasswordForm';

export function UsersPage() {
  const loaded = useCall('users.list', {});
  const settings = useCall('settings.get', {});
  const [users, setUsers] = useState<UserView[]>();
  const [resetting, setResetting] = useState<string>();
  const [removing, setRemoving] = useState<string>();
  const [message, setMessage] = useState<string>();
  const list = users ?? loaded.data;

  const changeRole = useAction(async (user: string, role: Role) => {
    setUsers(await invoke('users.setRole', { user, role }));
    setMessage(`${user} now has the ${role} role.`);
  });
  const remove = useAction(async (user: string) => {
    setUsers(await invoke('users.remove', { user }));
    setRemoving(undefined);
    setMessage(`Removed ${user}.`);
  });

  return (
    <div className="page">
      <h1>Users</h1>
      {settings.data && !settings.data.auth.enabled ? (
        <Notice kind="info">Login is off: anyone who can reach the registry may push. Turn on “Require login” on the Home page once you have added a user.</Notice>
      ) : null}
      <Card title="Users" description="read may pull; write may also push; admin may also delete.">
        {list === undefined ? (
          loaded.error ? <ErrorNotice error={loaded.error} /> : <Loading what="users" />
        ) : list.length === 0 ? (
          <p className="muted">No users yet.</p>
        ) : (
          <table className="table">
            <thead>
              <tr><th>User</th><th>Role</th><th><span className="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <UserRow key={u.user} user={u} busy={changeRole.busy}
                  onRole={(role) => void changeRole.run(u.user, role)}
                  onReset={() => { setResetting(u.user); setMessage(undefined); }}
                  onRemove={() => { setRemoving(u.user); remove.reset(); }}
                />
              ))}
            </tbody>
          </table>
        )}
        {resetting ? (
          <ResetPasswordForm key={resetting} user={resetting} onCancel={() => setResetting(undefined)}
            onDone={(next) => { setUsers(next); setMessage(`Set a new password for ${resetting}.`); setResetting(undefined); }} />
        ) : null}
        <ErrorNotice error={changeRole.error} />
        {message ? <Notice kind="success">{message}</Notice> : null}
      </Card>
      <AddUserForm onChange={(next) => { setUsers(next); setMessage(undefined); }} />
      {removing ? (
        <ConfirmDialog title={`Remove ${removing}?`} confirmLabel="Remove user" busy={remove.busy} error={remove.error?.message}
          onConfirm={() => void remove.run(removing)} onCancel={() => setRemoving(undefined)}>
          <p><strong>{removing}</strong> will no longer be able to log in, push or pull with a password. Images they pushed stay.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

function UserRow({ user, busy, onRole, onReset, onRemove }: { user: UserView; busy: boolean; onRole(role: Role): void; onReset(): void; onRemove(): void }) {
  return (
    <tr>
      <td>
        {user.user}
        {!user.canLogIn ? <span className="badge badge-muted" title="This htpasswd entry uses a hash Berth cannot check">cannot log in</span> : null}
      </td>
      <td>
        <select aria-label={`Role of ${user.user}`} value={user.role} disabled={busy} onChange={(e) => onRole(e.target.value as Role)}>
          <option value="read">read</option>
          <option value="write">write</option>
          <option value="admin">admin</option>
        </select>
      </td>
      <td className="row-actions">
        <button type="button" className="btn btn-small" onClick={onReset}>Reset password</button>
        <button type="button" className="btn btn-small btn-danger-quiet" onClick={onRemove}>Remove</button>
      </td>
    </tr>
  );
}
