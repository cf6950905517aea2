// A one-line outcome under a form: what happened, or why it did not.
import type { ReactNode } from 'react';
import type { ControlError } from '../../../preload/contract';

export function Notice({ kind, children }: { kind: 'success' | 'error' | 'info' | 'warning'; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** A ControlError that no field claimed (no `field`, or a field this form does not have). */
export function ErrorNotice({ error, fields = [] }: { error: ControlError | undefined; fields?: string[] }) {
  if (!error || (error.field && fields.some((f) => fieldMatches(error.field, f)))) return null;
  return <Notice kind="error">{error.message}</Notice>;
}

/** Whether a server error's `field` ("proxy.remoteUrl", "remoteUrl") names this form field. */
export function fieldMatches(errorField: string | undefined, field: string): boolean {
  if (!errorField) return false;
  // The control service names fields by their path in the arguments: "port", "proxy.remoteUrl", "names.2".
  const path = errorField.split('.').filter((part) => !/^\d+$/.test(part));
  return path.join('.') === field || path[path.length - 1] === field || field.endsWith(`.${path.join('.')}`);
}

/** The server's message for `field`, if it named that field. */
export function serverFieldError(error: ControlError | undefined, field: string): string | undefined {
  return error && fieldMatches(error.field, field) ? error.message : undefined;
}
