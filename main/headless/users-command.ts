// `berth users add|passwd|role|remove|list`: manage the htpasswd file named by the config's
// auth.htpasswd.path (or --htpasswd FILE), and roles in the config's berth.auth.roles.
import { parseArgs } from 'node:util';
import { configRoleStore } from '../config/edit-config';
import { loadConfigFile } from '../config/load';
import type { Role } from '../config/types';
import { ROLES } from '../registry/auth/roles';
import { UserService } from '../users/user-service';
import { readPassword } from './read-password';

export const USERS_USAGE = `Usage:
  berth users list   (--config FILE | --htpasswd FILE)
  berth users add    NAME [--role read|write|admin] (--config FILE | --htpasswd FILE)
  berth users passwd NAME (--config FILE | --htpasswd FILE)
  berth users role   NAME read|write|admin --config FILE
  berth users remove NAME (--config FILE | --htpasswd FILE)
Passwords are read from a prompt, or from the first line of standard input when it is piped.
`;

export async function runUsers(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, strict: true,
    options: { config: { type: 'string', short: 'c' }, htpasswd: { type: 'string' }, role: { type: 'string' } },
  });
  const [action, name, roleArg] = positionals;
  const service = await open(values.config, values.htpasswd);
  const role = (r: string | undefined): Role | undefined => {
    if (r === undefined) return undefined;
    if (!ROLES.includes(r as Role)) throw new Error(`role must be one of ${ROLES.join(', ')}`);
    return r as Role;
  };
  const need = () => {
    if (!name) throw new Error(`a user name is required\n\n${USERS_USAGE}`);
    return name;
  };
  switch (action) {
    case 'list':
      for (const u of await service.list()) process.stdout.write(`${u.user}\t${u.role}${u.canLogIn ? '' : '\t(not bcrypt: cannot log in)'}\n`);
      return 0;
    case 'add':
      await service.add(need(), await readPassword(), role(values.role));
      process.stdout.write(`added ${name}\n`);
      return 0;
    case 'passwd':
      await service.setPassword(need(), await readPassword());
      process.stdout.write(`password of ${name} changed\n`);
      return 0;
    case 'role':
      await service.setRole(need(), role(roleArg) ?? (() => { throw new Error('a role is required'); })());
      process.stdout.write(`${name} is now ${roleArg}\n`);
      return 0;
    case 'remove':
      await service.remove(need());
      process.stdout.write(`removed ${name}\n`);
      return 0;
    default:
      process.stderr.write(USERS_USAGE);
      return 2;
  }
}

async function open(configPath: string | undefined, htpasswd: string | undefined): Promise<UserService> {
  if (htpasswd) return new UserService(htpasswd, configPath ? configRoleStore(configPath) : undefined, 'admin');
  if (!configPath) throw new Error(`name the users file: --config FILE (with auth.htpasswd) or --htpasswd FILE\n\n${USERS_USAGE}`);
  const { config } = await loadConfigFile(configPath);
  const path = config.auth.htpasswd?.path;
  if (!path) throw new Error(`${configPath} has no auth.htpasswd section`);
  return new UserService(path, configRoleStore(configPath), config.berth.auth.defaultrole);
}
