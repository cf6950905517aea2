// Edits a config.yml in place (the roles `berth users` sets) through the yaml library's document
// model, so the user's comments, order and formatting survive.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { writeFileAtomic } from '../lib/atomic-file';
import { parseConfig } from './load';
import type { Role } from './types';

async function editConfigFile(path: string, edit: (doc: ReturnType<typeof parseDocument>) => void): Promise<void> {
  const text = await readFile(path, 'utf8');
  const doc = parseDocument(text);
  edit(doc);
  const next = doc.toString();
  // Never write a file that would not load.
  parseConfig(next, { source: path });
  await writeFileAtomic(path, next, 0o600);
}

/** A RoleStore over berth.auth.roles of a config file. */
export function configRoleStore(path: string) {
  return {
    async roles(): Promise<Record<string, Role>> {
      const { config } = parseConfig(await readFile(path, 'utf8'), { source: path });
      return config.berth.auth.roles;
    },
    async setRole(user: string, role: Role | undefined): Promise<void> {
      await editConfigFile(path, (doc) => {
        if (role === undefined) doc.deleteIn(['berth', 'auth', 'roles', user]);
        else doc.setIn(['berth', 'auth', 'roles', user], role);
      });
    },
  };
}
