// config.yml's `berth:` section, derived from the setting table: its schema (what the file may
// say), its loaded type and its defaults. Durations load as milliseconds under `<key>Ms`, sizes as
// bytes under `<key>Bytes`, so the loaded config says its units in its names.
import * as z from 'zod';
import { getField, setField } from '../lib/dotted-path';
import type { Intersect, Nest, Spell } from '../../preload/contract/nested-types';
import { ROLES, SETTING_ROWS, type Kind, type Role, type SettingRow, type SettingRows } from '../../preload/contract/setting-table';
import { PROXY_TTL } from './defaults';
import { parseDuration } from './duration';
import type { Report } from './report';
import { bool, choice, duration, section, str, strList } from './schema-kinds';
import { checkList, httpUrl } from './value-checks';
import { isValidName, TAG_RE } from '../../preload/contract/repository-name';

/** Reads a duration at `path` in ms, with the fallback when unset (or 0 where 0 means the default). */
export type Ms = (path: string, value: string | number | null | undefined, fallback: string, zeroMeansDefault?: boolean) => number;

/** One of berth.proxy.upstreams, loaded. */
export interface UpstreamConfig {
  /** First name component that selects this upstream, e.g. "ghcr.io". */
  prefix: string;
  remoteurl: string;
  username: string | undefined;
  password: string | undefined;
  ttlMs: number;
}

/** One of berth.proxy.warm.images, loaded: a tag of an upstream image Berth keeps cached. */
export interface WarmImageConfig {
  /** The local repository name (as clients pull it, e.g. library/alpine or ghcr.io/owner/app). */
  name: string;
  tag: string;
  /** `os/architecture[/variant]` entries; empty means every platform of an index. */
  platforms: string[];
}

type BerthRow = Extract<SettingRows[number], { path: `berth.${string}` }>;
const BERTH_ROWS = SETTING_ROWS.filter((r): r is BerthRow => r.path.startsWith('berth.'));

/** A Kind's value once loaded. */
type Loaded<K> =
  K extends { type: 'boolean' } ? boolean
  : K extends { type: 'integer' | 'duration' | 'size' } ? number
  : K extends { type: 'choice'; values: readonly (infer V)[] } ? V
  : K extends { type: 'list' } ? string[]
  : K extends { type: 'roles' } ? Record<string, Role>
  : K extends { type: 'upstreams' } ? UpstreamConfig[]
  : K extends { type: 'warm-images' } ? WarmImageConfig[]
  : string;

type LoadedKey<Leaf extends string, K> = K extends { type: 'duration' } ? `${Leaf}Ms` : K extends { type: 'size' } ? `${Leaf}Bytes` : Leaf;
type NestLoaded<P extends string, K> = P extends `${infer H}.${infer T}` ? { [X in H]: NestLoaded<T, K> } : Nest<LoadedKey<P, K>, Loaded<K>>;
type RowConfig<R> = R extends { path: `berth.${infer P}`; value: infer K } ? NestLoaded<P, K> : never;

/** Berth's own settings, loaded: one key per row of the setting table under `berth.`. */
export type BerthConfig = Spell<Intersect<RowConfig<BerthRow>>>;

/** The key a row's value has in the loaded config (the last path component, with its unit). */
export function loadedKey(row: Pick<SettingRow, 'path' | 'value'>): string {
  const leaf = row.path.slice(row.path.lastIndexOf('.') + 1);
  return row.value.type === 'duration' ? `${leaf}Ms` : row.value.type === 'size' ? `${leaf}Bytes` : leaf;
}

// ---- schema ----

const role = z.string().transform((s) => s.toLowerCase()).pipe(z.enum(ROLES));

const upstream = z.strictObject({
  // No :port — repository names cannot contain ':', so such a prefix could never match
  // a name, and containerd's ?ns=host:port would make an invalid one.
  prefix: z.string().regex(/^[a-z0-9]+([.-][a-z0-9]+)*$/, 'expected a registry host such as ghcr.io (without a port: repository names cannot contain ":")'),
  remoteurl: z.string(),
  username: str(),
  password: str(),
  ttl: duration(),
});

const warmImage = z.union([z.string(), z.strictObject({ image: z.string(), platforms: z.array(z.string()).nullish() })]);

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i;

function schemaOf(kind: Kind): z.ZodType {
  switch (kind.type) {
    case 'boolean': return bool();
    case 'integer': return (kind.max === undefined ? z.number().int().min(kind.min) : z.number().int().min(kind.min).max(kind.max)).nullish();
    case 'duration': return duration();
    case 'size': return z.union([z.number().int().min(0), z.string().regex(SIZE, 'expected a size such as 10GB or 512MiB')]).nullish();
    case 'choice': return choice(kind.values as readonly [string, ...string[]]);
    case 'list': return strList();
    case 'roles': return z.record(z.string(), role).nullish();
    case 'upstreams': return z.array(upstream).nullish();
    case 'warm-images': return z.array(warmImage).nullish();
    default: return str();
  }
}

type Tree = { [key: string]: Tree | z.ZodType };

function sectionOf(tree: Tree): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, node] of Object.entries(tree)) shape[key] = node instanceof z.ZodType ? node : sectionOf(node);
  return section(shape);
}

function berthTree(): Tree {
  const root: Tree = {};
  for (const row of BERTH_ROWS) {
    const parts = row.path.split('.').slice(1);
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Tree;
    node[parts.at(-1)!] = schemaOf(row.value);
  }
  return root;
}

/** The `berth:` section as config.yml may write it. */
export const berthSection = sectionOf(berthTree());

// ---- loading ----

/** The `berth:` section with every default applied and units converted. */
export function loadBerth(file: unknown, report: Report, ms: Ms, proxyTtl: string | number | null | undefined): BerthConfig {
  const out: Record<string, unknown> = {};
  for (const row of BERTH_ROWS) {
    const parts = row.path.split('.').slice(1);
    const raw = getField(file, parts.join('.'));
    setField(out, [...parts.slice(0, -1), loadedKey(row)].join('.'), loadValue(row, raw ?? undefined, report, ms, proxyTtl));
  }
  const berth = out as unknown as BerthConfig;
  checkLocalNamespaces(berth, report);
  return berth;
}

function loadValue(row: BerthRow, raw: unknown, report: Report, ms: Ms, proxyTtl: string | number | null | undefined): unknown {
  const kind: Kind = row.value;
  const fallback = row.default as unknown;
  switch (kind.type) {
    case 'duration': return ms(row.path, raw as string | number | undefined, fallback as string, kind.zeroMeansDefault);
    case 'size': return parseSize((raw ?? fallback) as number | string);
    case 'list': return checkList(row.path, (raw ?? fallback) as string[], kind.item, report);
    case 'upstreams': return loadUpstreams(row.path, (raw ?? []) as Array<z.output<typeof upstream>>, report, ms, proxyTtl);
    case 'warm-images': return loadWarmImages(row.path, (raw ?? []) as Array<z.output<typeof warmImage>>, report);
    default: return raw ?? (Array.isArray(fallback) ? [...fallback] : typeof fallback === 'object' ? { ...fallback } : fallback);
  }
}

function loadUpstreams(path: string, list: Array<z.output<typeof upstream>>, report: Report, ms: Ms, proxyTtl: string | number | null | undefined): UpstreamConfig[] {
  const seen = new Set<string>();
  return list.map((u, i) => {
    httpUrl(`${path}.${i}.remoteurl`, u.remoteurl, report);
    if (seen.has(u.prefix)) report.error(path, `prefix ${u.prefix} is listed twice`);
    seen.add(u.prefix);
    return {
      prefix: u.prefix,
      remoteurl: u.remoteurl,
      username: u.username || undefined,
      password: u.password || undefined,
      // An upstream without its own ttl keeps content as long as proxy.ttl says.
      ttlMs: ms(`${path}.${i}.ttl`, u.ttl ?? proxyTtl, PROXY_TTL),
    };
  });
}

const PLATFORM_RE = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;

function loadWarmImages(path: string, list: Array<z.output<typeof warmImage>>, report: Report): WarmImageConfig[] {
  const out: WarmImageConfig[] = [];
  list.forEach((entry, i) => {
    const at = `${path}.${i}`;
    const text = typeof entry === 'string' ? entry : entry.image;
    // The tag follows the last ':' after the last '/' (a registry host's port precedes a '/').
    const colon = text.lastIndexOf(':');
    const name = colon > text.lastIndexOf('/') ? text.slice(0, colon) : text;
    const tag = colon > text.lastIndexOf('/') ? text.slice(colon + 1) : '';
    if (!isValidName(name) || !TAG_RE.test(tag)) {
      return report.error(at, `${JSON.stringify(text)} is not an image name:tag`, 'e.g. library/alpine:3.20; digests are fixed and need no refreshing');
    }
    const platforms = typeof entry === 'string' ? [] : (entry.platforms ?? []);
    const bad = platforms.find((p) => !PLATFORM_RE.test(p));
    if (bad !== undefined) return report.error(`${at}.platforms`, `${JSON.stringify(bad)} is not a platform`, 'write os/architecture[/variant], e.g. linux/amd64 or linux/arm/v7');
    if (out.some((o) => o.name === name && o.tag === tag)) return report.error(at, `${text} is listed twice`);
    out.push({ name, tag, platforms: [...new Set(platforms)] });
  });
  return out;
}

/**
 * A local namespace under an upstream's prefix would claim names that upstream serves, which is
 * exactly what the list exists to prevent.
 */
function checkLocalNamespaces(berth: BerthConfig, report: Report): void {
  const prefixes = berth.proxy.upstreams.map((u) => u.prefix);
  berth.proxy.localnamespaces = berth.proxy.localnamespaces.filter((value, i) => {
    const first = value.split('/')[0]!;
    if (!prefixes.includes(first)) return true;
    report.error(`berth.proxy.localnamespaces.${i}`, `${JSON.stringify(value)} overlaps the upstream prefix ${first} in berth.proxy.upstreams`, 'names under an upstream prefix are fetched from that upstream and cannot be local');
    return false;
  });
}

/** "10GB", "512MiB", "1.5g" or a plain number of bytes. Decimal and binary units both count in 1024s, as Docker's do. */
function parseSize(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = SIZE.exec(v)!;
  const power = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  return Math.round(Number(m[1]) * 1024 ** power);
}

/** A row's default, loaded (durations in ms): for code that needs it without a config. */
export function berthDefault(path: BerthRow['path']): unknown {
  const row = BERTH_ROWS.find((r) => r.path === path)!;
  return row.value.type === 'duration' ? parseDuration(row.default as string) : row.default;
}
