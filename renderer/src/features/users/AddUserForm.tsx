// Add a user: name, password twice, role.
import { useState } from 'react';
import type { Role, UserView } from '../../../../preload/contract';
import { invoke } from '../../api/control';
import { useAction } from '../../api/hooks';
import { Card } from '../../components/Card';
import { Field } from '../../components/Field';
import { ErrorNotice, Notice, serverFieldError } from '../../components/Notice';
import { checkPasswords, checkUserName } from './validation';

export function AddUserForm({ onChange }: { onChange(users: UserView[]): void }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [role, setRole] = useState<Role>('write');
  const [checks, setChecks] = useState<{ user?: string; password?: string; repeat?: string }>({});
  const [added, setAdded] = useState<string>();
  const action = useAction(async () => {
    onChange(await invoke('users.add', { user: user.trim(), password, role }));
    return true;
  });

  const submit = async () => {
    const found = { user: checkUserName(user), ...checkPasswords(password, repeat) };
    setChecks(found);
    setAdded(undefined);
    if (Object.values(found).some(Boolean)) return;
    if (!(await action.run())) return;
    setAdded(user.trim());
    setUser('');
    setPassword('');
    setRepeat('');
  };

  return (
    <Card title="Add a user">
      <form className="form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <div className="field-row">
          <Field label="User name" error={checks.user ?? serverFieldError(action.error, 'user')}>
            <input value={user} onChange={(e) => setUser(e.target.value)} autoComplete="off" spellCheck={false} />
          </Field>
          <Field label="Role">
            <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              <option value="read">read — pull</option>
              <option value="write">write — pull and push</option>
              <option value="admin">admin — pull, push and delete</option>
            </select>
          </Field>
        </div>
        <div className="field-row">
          <Field label="Password" error={checks.password ?? serverFieldError(action.error, 'password')}>
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
          </Field>
          <Field label="Repeat password" error={checks.repeat}>
            <input type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} autoComplete="new-password" />
          </Field>
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy}>{action.busy ? 'Adding…' : 'Add user'}</button>
        </div>
        <ErrorNotice error={action.error} fields={['user', 'password']} />
        {added && !action.error ? <Notice kind="success">Added {added}.</Notice> : null}
      </form>
    </Card>
  );
}
