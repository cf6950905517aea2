// users.*: htpasswd entries through the UserService, roles in the config (berth.auth.roles)
// through ConfigAccess, so a role change reaches the running registry without a restart.
import type { UserView } from '../../preload/contract';
import { UserService, type RoleStore } from '../users/user-service';
import type { ConfigAccess } from './config-access';
import type { Handlers } from './types';

export function usersHandlers(access: ConfigAccess): Handlers<'users'> {
  const roles: RoleStore = {
    roles: async () => (await access.load()).config.berth.auth.roles,
    setRole: async (user, role) => {
      await access.edit((doc) => {
        if (role === undefined) doc.deleteIn(['berth', 'auth', 'roles', user]);
        else doc.setIn(['berth', 'auth', 'roles', user], role);
      });
    },
  };
  const service = async () => {
    const { config } = await access.load();
    // Users can be managed before auth is turned on: they go to the file auth will use.
    return new UserService(config.auth.htpasswd?.path ?? access.defaults.htpasswd, roles, config.berth.auth.defaultrole);
  };
  const list = async (): Promise<UserView[]> => (await service()).list();
  // The user service's refusals (UserError) become control errors in errors.ts, by their kind.
  const wrap = async (fn: (s: UserService) => Promise<void>): Promise<UserView[]> => {
    const s = await service();
    await fn(s);
    return s.list();
  };

  return {
    'users.list': list,
    'users.add': ({ user, password, role }) => wrap((s) => s.add(user, password, role)),
    'users.setPassword': ({ user, password }) => wrap((s) => s.setPassword(user, password)),
    'users.setRole': ({ user, role }) => wrap((s) => s.setRole(user, role)),
    'users.remove': ({ user }) => wrap((s) => s.remove(user)),
  };
}
