// zod's issues → ConfigProblems worded for someone editing config.yml: the full key path,
// what was expected in YAML terms, and a "did you mean" hint for misspelled keys and values.
import type * as z from 'zod';
import type { ConfigProblem } from './errors';
import { knownKeysAt } from './schema-shape';
import { closest } from './suggest';

/** Keys that older registries knew; naming them beats a bare "unknown key". */
const REMOVED: Record<string, string> = {
  'storage.oss': 'the oss storage driver was removed in registry:3 and is not supported by Berth',
  'storage.swift': 'the swift storage driver was removed in registry:3 and is not supported by Berth',
};

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (indented key: value lines)',
  array: 'a list',
  record: 'a mapping (indented key: value lines)',
};

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

const dotted = (path: readonly PropertyKey[]): string => path.map(String).join('.');

export function issuesToProblems(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = issue.path;
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, path as (string | number)[]);
        for (const key of issue.keys) {
          const full = dotted([...path, key]);
          const removed = REMOVED[full];
          if (removed) {
            out.push({ path: full, message: removed });
            continue;
          }
          const near = closest(key, known);
          out.push({
            path: full,
            message: 'unknown key',
            ...(near ? { hint: `did you mean \`${dotted([...path, near])}\`?` } : {}),
          });
        }
        break;
      }
      case 'invalid_type': {
        const expected = EXPECTED[issue.expected] ?? issue.expected;
        const message = input === undefined || input === null ? `expected ${expected}` : `expected ${expected}, got ${describeValue(input)}`;
        out.push({ path: dotted(path), message });
        break;
      }
      case 'invalid_value': {
        const values = issue.values.map(String);
        const near = typeof input === 'string' ? closest(input, values) : undefined;
        out.push({
          path: dotted(path),
          message: `must be one of ${values.join(', ')} (got ${describeValue(input)})`,
          ...(near ? { hint: `did you mean ${near}?` } : {}),
        });
        break;
      }
      case 'too_small': {
        const min = Number(issue.minimum);
        const message = min === 0 ? 'must not be negative' : `must be at least ${min}`;
        out.push({ path: dotted(path), message: `${message} (got ${describeValue(input)})` });
        break;
      }
      case 'custom': {
        const hint = (issue.params as { hint?: string } | undefined)?.hint;
        out.push({ path: dotted(path), message: issue.message, ...(hint ? { hint } : {}) });
        break;
      }
      default:
        out.push({ path: dotted(path), message: issue.message });
    }
  }
  return out;
}
