// `berth users add|passwd|role|remove|list`: manage the htpasswd file named by the config's
// auth.htpasswd.path (or --htpasswd FILE), and roles in the config's berth.auth.roles. The config
// defaults to the one `berth serve` would use; after a change, the Berth serving it is told over
// its maintenance channel, so the change applies at once.
import { parseArgs } from 'node:util';
import { userNameProblem } from '../../preload/contract/users';
import { resolveConfigSource, type ConfigSource } from '../config/config-source';
import { configRoleStore } from '../config/edit-config';
import type { Role } from '../config/types';
import { ROLES } from '../registry/auth/roles';
import { askAdmin } from '../runtime/admin-client';
import { adminEndpoint, serverIdentity } from '../runtime/admin-endpoint';
import { UserService } from '../users/user-service';
import { readPassword } from './read-password';

export const USERS_USAGE = `Usage:
  berth users list   [--config FILE | --htpasswd FILE]
  berth users add    NAME [--role read|write|admin] [--config FILE | --htpasswd FILE]
  berth users passwd NAME [--config FILE | --htpasswd FILE]
  berth users role   NAME read|write|admin [--config FILE]
  berth users remove NAME [--config FILE | --htpasswd FILE]
Without --config (or --htpasswd), the configuration \`berth serve\` would use. A running Berth
serving it applies the change at once. Passwords are read from a prompt, or from the first line
of standard input when it is piped.
`;

export async function runUsers(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, strict: true,
    options: { config: { type: 'string', short: 'c' }, htpasswd: { type: 'string' }, role: { type: 'string' } },
  });
  const [action, name, roleArg] = positionals;
  const from = resolveConfigSource(values.config);
  const service = await open(from, values.config !== undefined, values.htpasswd);
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
    case 'add': {
      // Refused before the password prompt, so a bad name does not cost typing a password twice.
      const problem = userNameProblem(need());
      if (problem) throw new Error(problem);
      await service.add(need(), await readPassword(), role(values.role));
      process.stdout.write(`added ${name}\n`);
      return tellServer(from);
    }
    case 'passwd':
      await service.setPassword(need(), await readPassword());
      process.stdout.write(`password of ${name} changed\n`);
      return tellServer(from);
    case 'role':
      await service.setRole(need(), role(roleArg) ?? (() => { throw new Error('a role is required'); })());
      process.stdout.write(`${name} is now ${roleArg}\n`);
      return tellServer(from);
    case 'remove':
      await service.remove(need());
      process.stdout.write(`removed ${name}\n`);
      return tellServer(from);
    default:
      process.stderr.write(USERS_USAGE);
      return 2;
  }
}

/** --htpasswd alone edits that file only (roles need --config too); otherwise the config's file. */
async function open(from: ConfigSource, explicitConfig: boolean, htpasswd: string | undefined): Promise<UserService> {
  if (htpasswd) return new UserService(htpasswd, explicitConfig && from.path ? configRoleStore(from.path) : undefined, 'admin');
  const { config } = await from.load();
  const path = config.auth.htpasswd?.path;
  if (!path) throw new Error(`${from.label} has no auth.htpasswd section; name the users file: --config FILE (with auth.htpasswd) or --htpasswd FILE\n\n${USERS_USAGE}`);
  return new UserService(path, from.path ? configRoleStore(from.path) : undefined, config.berth.auth.defaultrole);
}

/**
 * Tells the Berth serving the config to re-read users and roles. No server answering is the
 * ordinary case (the files are updated and read at the next start); a server that answers but
 * fails only earns a warning, since the change itself is written.
 */
async function tellServer(from: ConfigSource): Promise<number> {
  try {
    const config = (await from.load()).config;
    const reply = await askAdmin(adminEndpoint(from.dataDir, serverIdentity(config)).path, 'reload-users', {}, { timeoutMs: 15_000 });
    if (reply === undefined) return 0;
    process.stdout.write(`the running registry (${config.http.addr}) applied the change\n`);
    if (reply.pending.length > 0) process.stdout.write(`other changes to the config wait for a restart: ${reply.pending.join(', ')}\n`);
  } catch (err) {
    process.stderr.write(`berth: warning: the change is saved, but the running registry was not told: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  return 0;
}
