// Issue 3: the same manifest GET/HEAD and mixed loads with htpasswd auth on. Both servers get
// one htpasswd file with a bcrypt (cost 10) entry made by Berth's own hashPassword, and every
// request carries Basic credentials, as Docker sends them after `docker login`. distribution
// runs bcrypt on every request; the ratio shows what verifying once and then from memory buys.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hashPassword } from '../../main/users/htpasswd';
import type { ServerVariant, Scenario } from './types';
import { manifestScenarios } from './manifests';
import { mixedScenarios } from './mixed';

export const AUTH_USER = 'bench';
const PASSWORD = 'bench-password-7f3a';

export const AUTH: ServerVariant = {
  key: 'htpasswd',
  authorization: 'Basic ' + Buffer.from(`${AUTH_USER}:${PASSWORD}`).toString('base64'),
  async configure(cfg, workDir) {
    const file = path.join(workDir, 'htpasswd');
    await writeFile(file, `${AUTH_USER}:${await hashPassword(PASSWORD, 10)}\n`, { mode: 0o600 });
    return { ...cfg, auth: { htpasswd: { realm: 'berth-bench', path: file } } };
  },
};

/** `auth-<name>`: the unauthenticated scenario on the htpasswd server pair. */
function withAuth(s: Scenario): Scenario {
  return { ...s, name: `auth-${s.name}`, description: `${s.description}; htpasswd auth (bcrypt cost 10), Basic credentials on every request`, variant: AUTH };
}

export function authScenarios(): Scenario[] {
  const manifests = manifestScenarios().filter((s) => /^manifest-(get|head)-(tag|digest)-c(16|64)$/.test(s.name));
  return [...manifests, ...mixedScenarios()].map(withAuth);
}
