// The access-controller shape from distribution: every request states what it wants to do
// (pull, push or delete on a repository, or list the catalog) and the controller says yes or
// throws UNAUTHORIZED (with a challenge) / DENIED. Handlers never look at credentials.
import type { IncomingMessage } from 'node:http';

export type Action = 'pull' | 'push' | 'delete' | 'catalog';

export interface Access {
  action: Action;
  /** Repository name; absent for the base endpoint and the catalog. */
  name?: string;
}

export interface Grant {
  /** The authenticated user, if any (for the access log; never a secret). */
  user?: string;
}

export interface AccessController {
  authorize(req: IncomingMessage, accesses: readonly Access[]): Promise<Grant>;
  /** Token endpoint (GET /auth/token), when this controller issues Bearer tokens. */
  issueToken?(req: IncomingMessage, url: URL): Promise<object>;
  /** Re-reads the users now (told that `berth users …` changed them), when there are users. */
  reload?(): Promise<void>;
}

/** Where the token endpoint lives, relative to the API's path prefix. */
export const TOKEN_PATH = '/auth/token';

/** No authentication configured: everything is allowed, as in distribution without `auth`. */
export const allowAll: AccessController = {
  async authorize() {
    return {};
  },
};
