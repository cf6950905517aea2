// The one mapping from anything a control method throws to the contract's ControlError. The UI
// shows `message` to the user, so it must be a readable sentence with no stack trace and no
// internal path; unexpected errors are logged in full here and reported as INTERNAL.
import type { ControlError, ControlErrorCode } from '../../preload/contract';
import { ConfigError } from '../config/errors';
import type { Logger } from '../lib/logger';
import { RegistryError, type ErrorKind } from '../registry/errors';
import { CertificateError } from '../certs/certificate-error';
import { UserError, type UserErrorKind } from '../users/user-service';
import { settingsFieldOf } from '../settings/rows';

/** Thrown by control methods for failures the user can act on. */
export class ControlFailure extends Error {
  constructor(readonly code: ControlErrorCode, message: string, readonly field?: string) {
    super(message);
  }
}

export const invalid = (field: string, message: string) => new ControlFailure('INVALID_ARGUMENT', message, field);
export const notRunning = () => new ControlFailure('UNAVAILABLE', 'The registry is not running. Start it first.');

const KIND_CODES: Partial<Record<ErrorKind, ControlErrorCode>> = {
  'name-unknown': 'NOT_FOUND',
  'manifest-unknown': 'NOT_FOUND',
  'blob-unknown': 'NOT_FOUND',
  'blob-upload-unknown': 'NOT_FOUND',
  'name-invalid': 'INVALID_ARGUMENT',
  'tag-invalid': 'INVALID_ARGUMENT',
  'digest-invalid': 'INVALID_ARGUMENT',
  'manifest-invalid': 'INVALID_ARGUMENT',
  unsupported: 'UNAVAILABLE',
  unavailable: 'UNAVAILABLE',
  denied: 'PERMISSION_DENIED',
  unauthorized: 'PERMISSION_DENIED',
};

const KIND_MESSAGES: Partial<Record<ErrorKind, string>> = {
  'name-unknown': 'No such repository.',
  'manifest-unknown': 'No such tag or manifest.',
  'blob-unknown': 'No such blob.',
  'name-invalid': 'That is not a valid repository name.',
};

// `field` names the argument of users.add / users.setPassword the form shows the message under.
const USER_ERRORS: Record<UserErrorKind, { code: ControlErrorCode; field?: string }> = {
  'user-unknown': { code: 'NOT_FOUND' },
  'user-exists': { code: 'CONFLICT' },
  'name-invalid': { code: 'INVALID_ARGUMENT', field: 'user' },
  'password-invalid': { code: 'INVALID_ARGUMENT', field: 'password' },
  'roles-need-config': { code: 'INVALID_ARGUMENT' },
};

export function toControlError(err: unknown, log: Logger, method: string): ControlError {
  if (err instanceof ControlFailure) return { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
  if (err instanceof ConfigError) {
    // The message names the config file (the user's own settings path) and the key.
    const field = settingsFieldOf(err.path);
    return { code: 'INVALID_ARGUMENT', message: err.problems.map((p) => p.message + (p.hint ? ` (${p.hint})` : '')).join('; ') || err.message, ...(field ? { field } : {}) };
  }
  if (err instanceof RegistryError) {
    const code = KIND_CODES[err.kind];
    if (code) return { code, message: KIND_MESSAGES[err.kind] ?? sentence(err.message) };
  }
  if (err instanceof CertificateError) return { code: 'INVALID_ARGUMENT', message: sentence(err.message) };
  if (err instanceof UserError) {
    const { code, field } = USER_ERRORS[err.kind];
    return { code, message: sentence(err.message), ...(field ? { field } : {}) };
  }
  log.error('control method failed', { method, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return { code: 'INTERNAL', message: 'Something went wrong inside Berth; the log has the details.' };
}

function sentence(s: string): string {
  const t = s.trim();
  return t ? t[0]!.toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.') : 'Failed.';
}
