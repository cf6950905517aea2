// The control API's one error mapping, for the user service's refusals: each is provoked on a real
// htpasswd file, carries its kind, and maps by that kind (never by its wording) to the contract's
// code, with the argument the form shows it under and a readable sentence.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ControlError } from '../../../preload/contract';
import { toControlError } from '../../../main/control/errors';
import { silentLogger } from '../../../main/lib/logger';
import { UserError, UserService, type RoleStore, type UserErrorKind } from '../../../main/users/user-service';
import { runCleanups, tempDir } from '../../support/cleanup';

after(runCleanups);

const noRoles: RoleStore = { roles: async () => ({}), setRole: async () => undefined };

async function refusal(run: () => Promise<unknown>): Promise<UserError> {
  try {
    await run();
  } catch (err) {
    assert.ok(err instanceof UserError, `a UserError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the user service to refuse');
}

describe('toControlError for user errors', () => {
  it('maps each refusal of the user service by its kind', async () => {
    const dir = await tempDir('berth-user-errors-');
    const withRoles = new UserService(join(dir, 'htpasswd'), noRoles, 'read');
    const fileOnly = new UserService(join(dir, 'htpasswd'), undefined, 'read');
    await withRoles.add('alice', 'alice-password');
    const cases: { kind: UserErrorKind; run: () => Promise<unknown>; expected: Omit<ControlError, 'message'> }[] = [
      { kind: 'user-unknown', run: () => withRoles.remove('nobody'), expected: { code: 'NOT_FOUND' } },
      { kind: 'user-unknown', run: () => withRoles.setPassword('nobody', 'some-password'), expected: { code: 'NOT_FOUND' } },
      { kind: 'user-exists', run: () => withRoles.add('alice', 'another-password'), expected: { code: 'CONFLICT' } },
      { kind: 'name-invalid', run: () => withRoles.add('bad:name', 'long-enough-pw'), expected: { code: 'INVALID_ARGUMENT', field: 'user' } },
      { kind: 'password-invalid', run: () => withRoles.add('bob', 'short'), expected: { code: 'INVALID_ARGUMENT', field: 'password' } },
      { kind: 'password-invalid', run: () => withRoles.setPassword('alice', 'x'.repeat(73)), expected: { code: 'INVALID_ARGUMENT', field: 'password' } },
      { kind: 'roles-need-config', run: () => fileOnly.setRole('alice', 'write'), expected: { code: 'INVALID_ARGUMENT' } },
    ];
    for (const c of cases) {
      const err = await refusal(c.run);
      assert.equal(err.kind, c.kind, err.message);
      const { message, ...rest } = toControlError(err, silentLogger, 'users.test');
      assert.deepEqual(rest, c.expected, `${c.kind}: ${err.message}`);
      // A sentence for the user: the service's words, capitalised and ending in a full stop.
      assert.match(message, /^[A-Z].*[.!?]$/);
      assert.ok(message.toLowerCase().startsWith(err.message.slice(0, 10).toLowerCase()), message);
    }
  });

  it('follows the kind, not the wording', () => {
    // Words that once decided the code ("no user", "already exists") no longer do.
    const mapped = (kind: UserErrorKind, message: string) => toControlError(new UserError(kind, message), silentLogger, 'users.test').code;
    assert.equal(mapped('user-unknown', 'that account is not in the users file'), 'NOT_FOUND');
    assert.equal(mapped('user-exists', 'taken'), 'CONFLICT');
    assert.equal(mapped('password-invalid', 'no user would pick this password'), 'INVALID_ARGUMENT');
    assert.equal(mapped('name-invalid', 'that name already exists in another form'), 'INVALID_ARGUMENT');
  });
});
