// config.yml text + REGISTRY_* environment → RegistryConfig.
// Steps: YAML (1.1, like Go's yaml.v2) → shorthand forms expanded → env overrides → original
// spelling restored for text keys → strict schema → defaults and cross-key checks.
import { applyEnvOverrides, pathKey } from './env-overrides';
import { ConfigError, formatProblem, type ConfigProblem } from './errors';
import { issuesToProblems } from './issues';
import { normalize } from './normalize';
import { Report } from './report';
import { configFileSchema } from './schema';
import { restoreTextScalars } from './text-scalars';
import type { RegistryConfig } from './types';
import { parseYaml, type KeyPath } from './yaml-source';

export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadedConfig {
  config: RegistryConfig;
  /** Readable lines for keys that were accepted but ignored, deprecated or suspicious. */
  warnings: string[];
}

export interface ParseOptions {
  /** REGISTRY_* overrides are read from here; none when omitted (pass process.env to get registry:3's behaviour). */
  env?: Env;
  /** Shown in messages, normally the file path. */
  source?: string;
}

/** Parses config.yml text; throws ConfigError listing every problem found. */
export function parseConfig(yamlText: string, opts: ParseOptions = {}): LoadedConfig {
  const source = opts.source ?? 'config.yml';
  const yaml = parseYaml(yamlText, source);
  if (yaml.value === null && !Object.keys(opts.env ?? {}).some((k) => k.toUpperCase().startsWith('REGISTRY_'))) {
    throw new ConfigError(source, { path: '', message: 'the configuration is empty; it needs at least `version: 0.1` and a `storage:` section' });
  }
  if (yaml.value !== null && (typeof yaml.value !== 'object' || Array.isArray(yaml.value))) {
    throw new ConfigError(source, { path: '', message: 'expected `key: value` settings at the top level', line: 1 });
  }
  const env = applyEnvOverrides(expandShorthands(yaml.value ?? {}), opts.env ?? {});

  /** The variable that set `path` or one of its parents, if any. */
  const envOrigin = (path: KeyPath) => {
    for (let n = path.length; n > 0; n--) {
      const origin = env.origins.get(pathKey(path.slice(0, n)));
      if (origin) return { origin, exact: n === path.length };
    }
    return undefined;
  };
  const rawText = (path: KeyPath) => {
    const fromEnv = envOrigin(path);
    return fromEnv ? (fromEnv.exact ? fromEnv.origin.raw : undefined) : yaml.rawText(path);
  };
  /** Adds where a key came from: the variable that set it, or its line in the file. */
  const place = (p: ConfigProblem): ConfigProblem => {
    if (p.env || p.line !== undefined || !p.path) return p;
    const path = p.path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const fromEnv = envOrigin(path);
    if (fromEnv) return { ...p, env: fromEnv.origin.env };
    // A problem with a whole section (two storage drivers…) may come from a variable inside it.
    const prefix = pathKey(path) + '.';
    const inside = [...env.origins].filter(([k]) => k.startsWith(prefix)).map(([, o]) => o.env);
    const at = yaml.locate(path);
    return { ...p, ...at, ...(inside.length > 0 ? { env: inside.join(', ') } : {}) };
  };

  // Again after the overrides: REGISTRY_STORAGE=inmemory is a shorthand too.
  const tree = restoreTextScalars(expandShorthands(env.value), configFileSchema, rawText);
  const parsed = configFileSchema.safeParse(tree, { reportInput: true });
  const report = new Report();
  const problems: ConfigProblem[] = [...env.problems];
  let config: RegistryConfig | undefined;
  if (parsed.success) {
    config = normalize(parsed.data, report);
    problems.push(...report.problems);
  } else {
    problems.push(...issuesToProblems(parsed.error.issues, configFileSchema));
  }
  if (problems.length > 0 || !config) throw new ConfigError(source, problems.map(place));

  const warnings = [
    ...yaml.warnings,
    ...env.warnings,
    ...report.warnings.map((w) => formatProblem(source, place({ path: w.path, message: w.message }))),
  ];
  return { config, warnings };
}

/**
 * distribution also accepts `storage: inmemory` and `auth: htpasswd` (a driver or method name
 * without parameters), and `auth: none` for no authentication. Expanding them first lets env
 * overrides add parameters to them, as in registry:3.
 */
function expandShorthands(tree: object): Record<string, unknown> {
  const out = { ...(tree as Record<string, unknown>) };
  if (typeof out.storage === 'string' && out.storage !== '') out.storage = { [out.storage]: {} };
  if (typeof out.auth === 'string') out.auth = out.auth === '' || out.auth.toLowerCase() === 'none' ? {} : { [out.auth]: {} };
  return out;
}
