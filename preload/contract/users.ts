// htpasswd users and Berth's roles.
import type { Role } from './settings';

export interface UserView { user: string; role: Role; canLogIn: boolean }

export interface UsersMethods {
  'users.list': { args: Record<string, never>; result: UserView[] };
  'users.add': { args: { user: string; password: string; role: Role }; result: UserView[] };
  'users.setPassword': { args: { user: string; password: string }; result: UserView[] };
  'users.setRole': { args: { user: string; role: Role }; result: UserView[] };
  'users.remove': { args: { user: string }; result: UserView[] };
}
