// Berth's roles (distribution has none: any user may do anything). Kept in config under
// berth.auth.roles; users without an entry get berth.auth.defaultrole.
import type { Action } from './access';

import { ROLES, type Role } from '../../../preload/contract/setting-table';

export { ROLES, type Role };

const RANK: Record<Role, number> = { read: 0, write: 1, admin: 2 };
const NEEDS: Record<Action, Role> = { pull: 'read', catalog: 'read', push: 'write', delete: 'admin' };

export function allows(role: Role, action: Action): boolean {
  return RANK[role] >= RANK[NEEDS[action]];
}
