// Users for the UI and `berth users`: htpasswd entries (interchangeable with Apache's
// `htpasswd -B` and read by registry:3) plus Berth's per-user roles, which live in the config
// (berth.auth.roles) through a RoleStore so that this module does not know where.
import { passwordProblem, userNameProblem } from '../../preload/contract/users';
import type { Role } from '../config/types';
import { hashPassword, isBcrypt } from './htpasswd';
import { HtpasswdFile } from './htpasswd-file';

export interface RoleStore {
  roles(): Promise<Record<string, Role>>;
  setRole(user: string, role: Role | undefined): Promise<void>;
}

export interface UserInfo {
  user: string;
  role: Role;
  /** False for entries whose hash is not bcrypt: they exist but cannot log in. */
  canLogIn: boolean;
}

/** Why the user service refused, for callers that answer each differently (the control API's codes). */
export type UserErrorKind = 'user-unknown' | 'user-exists' | 'name-invalid' | 'password-invalid' | 'roles-need-config';

export class UserError extends Error {
  constructor(readonly kind: UserErrorKind, message: string) {
    super(message);
  }
}

export class UserService {
  private readonly file: HtpasswdFile;

  constructor(htpasswdPath: string, private readonly roleStore: RoleStore | undefined, private readonly defaultRole: Role) {
    this.file = new HtpasswdFile(htpasswdPath);
  }

  async list(): Promise<UserInfo[]> {
    await this.file.reloadIfChanged();
    const roles = (await this.roleStore?.roles()) ?? {};
    const users = await this.file.users();
    return [...users].map(([user, hash]) => ({ user, role: roles[user] ?? this.defaultRole, canLogIn: isBcrypt(hash) }))
      .sort((a, b) => (a.user < b.user ? -1 : 1));
  }

  async add(user: string, password: string, role?: Role): Promise<void> {
    refuse('name-invalid', userNameProblem(user));
    refuse('password-invalid', passwordProblem(password));
    const hash = await hashPassword(password);
    let exists = false;
    await this.file.update((entries) => {
      exists = entries.some((e) => e.user === user);
      return exists ? entries : [...entries, { user, hash }];
    });
    if (exists) throw new UserError('user-exists', `user ${user} already exists (use passwd to change the password)`);
    if (role) await this.setRole(user, role);
  }

  async setPassword(user: string, password: string): Promise<void> {
    refuse('password-invalid', passwordProblem(password));
    const hash = await hashPassword(password);
    let found = false;
    await this.file.update((entries) => entries.map((e) => {
      if (e.user !== user) return e;
      found = true;
      return { user, hash };
    }));
    if (!found) throw new UserError('user-unknown', `no user ${user}`);
  }

  async setRole(user: string, role: Role): Promise<void> {
    if (!this.roleStore) throw new UserError('roles-need-config', 'roles need a config file (berth.auth.roles); pass --config');
    await this.roleStore.setRole(user, role === this.defaultRole ? undefined : role);
  }

  async remove(user: string): Promise<void> {
    let found = false;
    await this.file.update((entries) => entries.filter((e) => {
      if (e.user === user) found = true;
      return e.user !== user;
    }));
    if (!found) throw new UserError('user-unknown', `no user ${user}`);
    await this.roleStore?.setRole(user, undefined);
  }
}

/** A name or password the rule refuses, with the rule's sentence for the form or CLI. */
function refuse(kind: 'name-invalid' | 'password-invalid', problem: string | undefined): void {
  if (problem) throw new UserError(kind, problem);
}
