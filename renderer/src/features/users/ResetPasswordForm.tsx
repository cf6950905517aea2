// Sets a new password for one user, inline in the users table.
import { useState } from 'react';
import type { UserView } from '../../../../preload/contract';
import { invoke } from '../../api/control';
import { useAction } from '../../api/hooks';
import { Field } from '../../components/Field';
import { ErrorNotice, serverFieldError } from '../../components/Notice';
import { checkPasswords } from './validation';

export function ResetPasswordForm({ user, onDone, onCancel }: { user: string; onDone(users: UserView[]): void; onCancel(): void }) {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [checks, setChecks] = useState<{ password?: string; repeat?: string }>({});
  const action = useAction(async () => onDone(await invoke('users.setPassword', { user, password })));
  return (
    <form
      className="form inline-form"
      aria-label={`New password for ${user}`}
      onSubmit={(e) => {
        e.preventDefault();
        const found = checkPasswords(password, repeat);
        setChecks(found);
        if (!found.password && !found.repeat) void action.run();
      }}
    >
      <div className="field-row">
        <Field label={`New password for ${user}`} error={checks.password ?? serverFieldError(action.error, 'password')}>
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" autoFocus />
        </Field>
        <Field label="Repeat new password" error={checks.repeat}>
          <input type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} autoComplete="new-password" />
        </Field>
      </div>
      <div className="form-actions">
        <button type="button" className="btn" onClick={onCancel}>Cancel</button>
        <button type="submit" className="btn btn-primary" disabled={action.busy}>Set password</button>
      </div>
      <ErrorNotice error={action.error} fields={['password']} />
    </form>
  );
}
