// The form's checks: the shared user-name and password rule (preload/contract/users.ts, which
// the control API and `berth users` apply too), plus the repeat field only a form has.
import { passwordProblem, userNameProblem } from '../../../../preload/contract/users';

/** The name as the form sends it (surrounding spaces dropped), checked by the shared rule. */
export function checkUserName(name: string): string | undefined {
  return userNameProblem(name.trim());
}

export function checkPasswords(password: string, repeat: string): { password?: string; repeat?: string } {
  const problem = passwordProblem(password);
  if (problem) return { password: problem };
  if (password !== repeat) return { repeat: 'The two passwords differ.' };
  return {};
}
