// Which repository a request was for, as the dispatcher matched it, for the access log: the
// listener writes that line when the response finishes, after the dispatcher is done, and knows
// nothing of routes. Noted only for a valid name, before authorisation, so a refused request
// (401, 403) is still found under its repository.
import type { IncomingMessage } from 'node:http';
import { isValidName } from '../reference';

const repositories = new WeakMap<IncomingMessage, string>();

export function noteRepository(req: IncomingMessage, name: string): void {
  if (isValidName(name)) repositories.set(req, name);
}

export function repositoryOf(req: IncomingMessage): string | undefined {
  return repositories.get(req);
}
