// distribution's environment overrides (configuration/parser.go): REGISTRY_<PATH> replaces the
// key at PATH, `_` separates path segments, list items are addressed by index
// (REGISTRY_HTTP_TLS_CIPHERSUITES_0) and the value is read as YAML. Keys never contain `_`;
// map keys (log.fields, http.headers) may, so for maps we first look for an existing key that
// matches, and otherwise take the remaining segments as one lower-cased key.
import type * as z from 'zod';
import type { ConfigProblem } from './errors';
import { configFileSchema } from './schema';
import { shapeOf } from './schema-shape';
import { parseYaml, type KeyPath } from './yaml-source';

const PREFIX = 'REGISTRY_';
/** Variables with the prefix that are not overrides. */
const NOT_OVERRIDES = new Set(['REGISTRY_CONFIGURATION_PATH']);

export interface EnvOrigin {
  env: string;
  /** The variable's text when YAML read it as a number or boolean (kept for string keys). */
  raw?: string;
}

export interface EnvOverrideResult {
  value: Record<string, unknown>;
  /** Dotted path → the variable that set it, for error messages. */
  origins: Map<string, EnvOrigin>;
  warnings: string[];
  problems: ConfigProblem[];
}

export const pathKey = (path: KeyPath): string => path.join('.');

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Applies every REGISTRY_* variable in `env` to a copy of the parsed YAML tree. */
export function applyEnvOverrides(
  tree: unknown,
  env: Readonly<Record<string, string | undefined>>,
): EnvOverrideResult {
  const value: Record<string, unknown> = isPlainObject(tree) ? structuredClone(tree) : {};
  const result: EnvOverrideResult = { value, origins: new Map(), warnings: [], problems: [] };
  const vars = Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .filter(([name]) => name.toUpperCase().startsWith(PREFIX) && !NOT_OVERRIDES.has(name.toUpperCase()))
    .map(([name, text]) => ({ name, text, segs: name.slice(PREFIX.length).split('_') }))
    // Parents before children (REGISTRY_STORAGE before REGISTRY_STORAGE_FILESYSTEM_…), and
    // list indexes in numeric order so that _2 is applied before _10.
    .sort((a, b) => compareSegments(a.segs, b.segs));

  for (const { name, text, segs } of vars) {
    const path = segs.includes('') ? undefined : resolve(configFileSchema, value, segs);
    if (!path) {
      result.warnings.push(`Ignoring unrecognized environment variable ${name}`);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text, name).value;
    } catch (e) {
      result.problems.push({ path: pathKey(path), env: name, message: `the value is not valid YAML: ${(e as Error).message}` });
      continue;
    }
    const failure = setIn(value, path, parsed);
    if (failure) {
      result.problems.push({ path: pathKey(path), env: name, message: failure });
      continue;
    }
    const origin: EnvOrigin = { env: name };
    if (typeof parsed === 'number' || typeof parsed === 'boolean') origin.raw = text.trim();
    result.origins.set(pathKey(path), origin);
  }
  return result;
}

function compareSegments(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Maps upper-case segments onto the real key path, or undefined when no such key exists. */
function resolve(schema: z.ZodType, node: unknown, segs: readonly string[]): KeyPath | undefined {
  if (segs.length === 0) return [];
  const [head, ...rest] = segs as [string, ...string[]];
  const shape = shapeOf(schema);
  const child = (key: string | number, sub: z.ZodType, remaining: readonly string[]): KeyPath | undefined => {
    const next = isPlainObject(node) || Array.isArray(node) ? (node as Record<string | number, unknown>)[key] : undefined;
    const tail = resolve(sub, next, remaining);
    return tail && [key, ...tail];
  };
  switch (shape.kind) {
    case 'object': {
      const key = Object.keys(shape.fields).find((k) => k.toUpperCase() === head.toUpperCase());
      return key === undefined ? undefined : child(key, shape.fields[key]!, rest);
    }
    case 'array':
      return /^\d+$/.test(head) ? child(Number(head), shape.element, rest) : undefined;
    case 'record': {
      // An existing key written with `_` or in mixed case wins (longest match first).
      const existing = isPlainObject(node) ? Object.keys(node) : [];
      for (let n = segs.length; n >= 1; n--) {
        const joined = segs.slice(0, n).join('_').toUpperCase();
        const match = existing.find((k) => k.toUpperCase() === joined);
        if (match !== undefined) return child(match, shape.value, segs.slice(n));
      }
      const inner = shapeOf(shape.value);
      if (inner.kind === 'object' || inner.kind === 'record') return child(head.toLowerCase(), shape.value, rest);
      const last = segs[segs.length - 1]!;
      if (inner.kind === 'array' && segs.length > 1 && /^\d+$/.test(last)) {
        return [segs.slice(0, -1).join('_').toLowerCase(), Number(last)];
      }
      return [segs.join('_').toLowerCase()];
    }
    case 'opaque':
      // Sections Berth does not model: nest with lower-cased keys as Go does, so compat.ts sees them.
      return segs.map((s) => s.toLowerCase());
    case 'scalar':
      return undefined;
  }
}

/** Sets `path` in `root`, creating maps and lists on the way; returns an error text on failure. */
function setIn(root: Record<string, unknown>, path: KeyPath, value: unknown): string | undefined {
  let container: Record<string | number, unknown> | unknown[] = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (Array.isArray(container)) {
      if (typeof seg !== 'number' || seg > container.length) {
        return `list index ${String(seg)} is out of range (the list has ${container.length} item(s))`;
      }
    }
    const holder = container as Record<string | number, unknown>;
    if (last) {
      holder[seg] = value;
      return undefined;
    }
    const wantList = typeof path[i + 1] === 'number';
    const current = holder[seg];
    if (wantList ? !Array.isArray(current) : !isPlainObject(current)) holder[seg] = wantList ? [] : {};
    container = holder[seg] as Record<string | number, unknown> | unknown[];
  }
  return undefined;
}
