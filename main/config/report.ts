// Collects problems and warnings while a configuration is checked, so one run reports every
// mistake instead of stopping at the first.
import type { ConfigProblem } from './errors';

export interface ConfigWarning {
  path: string;
  message: string;
}

export class Report {
  readonly problems: ConfigProblem[] = [];
  readonly warnings: ConfigWarning[] = [];

  error(path: string, message: string, hint?: string): void {
    this.problems.push(hint ? { path, message, hint } : { path, message });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }
}

/** True for null, empty lists and maps whose values are all empty: "configured" means not empty. */
export function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v).every(isEmpty);
  return false;
}

export const NOT_IN_BERTH = 'is supported by registry:3 but not by Berth';
