// daemon.json editing for the Docker setup wizard. The file is the user's: we refuse to touch
// one that is not valid JSON (and say where it breaks), keep every other key in its order, and
// only add or remove our entries. The two keys have opposite rules, a classic source of bricked
// daemons (dockerd refuses to start on a wrong entry): `insecure-registries` takes host:port WITHOUT a scheme,
// `registry-mirrors` takes a URL WITH http:// or https://.
import { createTwoFilesPatch } from 'diff';
import { hostPortProblem, insecureRegistryProblem, isCidr, parseMirrorUrl } from '../../preload/contract/registry-hosts';

export type DaemonConfig = Record<string, unknown>;

export const INSECURE_KEY = 'insecure-registries';
export const MIRRORS_KEY = 'registry-mirrors';

export class DaemonJsonError extends Error {}

/**
 * Parses daemon.json text. An empty file counts as `{}` (dockerd accepts it). Anything else
 * that is not a JSON object is refused with the line and column where it breaks, and never with
 * a piece of the text: the file may not be what it claims to be, and the message reaches the UI.
 */
export function parseDaemonJson(text: string, path = 'daemon.json'): DaemonConfig {
  const body = text.replace(/^\uFEFF/, ''); // dockerd strips a UTF-8 BOM too
  if (body.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /at position (\d+)/.exec(msg);
    const where = pos ? ` at ${lineColumn(body, Number(pos[1]))}` : /end of JSON input/i.test(msg) ? ' at the end of the file' : '';
    throw new DaemonJsonError(`${path} is not valid JSON${where}${parseReason(msg)}. Berth will not change it; fix it first.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DaemonJsonError(`${path} must hold a JSON object ({ … }), not ${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'null' : `a ${typeof value}`}`);
  }
  return value as DaemonConfig;
}

/**
 * V8's reason without the excerpt of the text it may quote ("Unexpected token 'p', "password=h"...
 * is not valid JSON"): only a reason made of words and JSON punctuation is kept.
 */
function parseReason(msg: string): string {
  const reason = msg.replace(/\s*\(line \d+ column \d+\)/, '').replace(/\s*in JSON at position \d+.*$/s, '').trim();
  return /^[A-Za-z ,-]*('[{}[\]:,]'[A-Za-z ,-]*)*$/.test(reason) && reason !== '' ? `: ${reason}` : '';
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

/** 2-space indentation and a final newline, like Docker Desktop's editor writes it. */
export function formatDaemonJson(config: DaemonConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

export interface Normalized {
  value: string;
  warnings: string[];
}

/**
 * An insecure-registries entry: host[:port] or a CIDR (the grammar of registry-hosts.ts), with no
 * scheme and no path. dockerd itself strips http:// and https:// with a warning and rejects other
 * schemes; we do the same so the file holds what dockerd will actually use.
 */
export function normalizeInsecureRegistry(input: string): Normalized {
  const warnings: string[] = [];
  let v = input.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v);
  if (scheme) {
    if (!/^https?$/i.test(scheme[1]!)) throw new DaemonJsonError(`insecure registry "${input}": only host:port is allowed, not a ${scheme[1]}:// URL`);
    v = v.slice(scheme[0].length).replace(/\/+$/, '');
    if (!insecureRegistryProblem(v)) warnings.push(`insecure-registries entries take host:port without a scheme: using "${v}" instead of "${scheme[0]}${v}"`);
  }
  if (v.endsWith('/') && !isCidr(v)) v = v.replace(/\/+$/, '');
  const problem = insecureRegistryProblem(v);
  if (problem) throw new DaemonJsonError(`insecure registry "${input}": ${problem}`);
  return { value: v.toLowerCase(), warnings };
}

/**
 * A registry-mirrors entry: http(s)://host[:port][/path] with no query, fragment or credentials
 * (dockerd's ValidateMirror, narrowed by registry-hosts.ts). Stored without a trailing slash.
 */
export function normalizeMirror(input: string): Normalized {
  const v = input.trim();
  if (!/^https?:\/\//i.test(v)) {
    const bare = v.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
    const example = hostPortProblem(bare) ? 'http://host:5000' : `http://${bare}`;
    throw new DaemonJsonError(`mirror "${input}": registry-mirrors entries need a scheme, e.g. "${example}" (dockerd refuses to start otherwise)`);
  }
  const p = parseMirrorUrl(v);
  if ('problem' in p) throw new DaemonJsonError(`mirror "${input}": ${p.problem}`);
  return { value: `${p.scheme}://${p.hostPort.toLowerCase()}${p.path}`, warnings: [] };
}

/** How two entries compare: case-insensitive, ignoring a scheme (insecure) or trailing slash. */
function sameInsecure(a: string, b: string): boolean {
  const k = (s: string) => s.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '').toLowerCase();
  return k(a) === k(b);
}

export function sameMirror(a: string, b: string): boolean {
  const k = (s: string) => {
    try {
      const u = new URL(s.trim());
      return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
    } catch {
      return s.trim().replace(/\/+$/, '').toLowerCase();
    }
  };
  return k(a) === k(b);
}

export interface Edit {
  insecureRegistry?: string;
  mirror?: string;
  remove?: boolean;
}

export interface EditResult {
  config: DaemonConfig;
  changed: boolean;
  warnings: string[];
  /** The normalized entries the edit is about (what verification looks for). */
  insecureRegistry?: string;
  mirror?: string;
}

/**
 * Adds (or removes) the entries, leaving every other key where it was. A new key goes at the
 * end; a key whose list becomes empty on removal is dropped, as if we had never added it.
 */
export function editDaemonConfig(current: DaemonConfig, edit: Edit): EditResult {
  if (edit.insecureRegistry === undefined && edit.mirror === undefined) throw new DaemonJsonError('nothing to change: give an insecure registry, a mirror, or both');
  const warnings: string[] = [];
  const config: DaemonConfig = { ...current };
  let changed = false;
  const result: EditResult = { config, changed, warnings };

  const apply = (key: string, entry: string, same: (a: string, b: string) => boolean) => {
    const list = stringList(config[key], key);
    if (edit.remove) {
      const kept = list.filter((e) => !same(e, entry));
      if (kept.length === list.length) return;
      changed = true;
      if (kept.length === 0) delete config[key];
      else config[key] = kept;
    } else {
      if (list.some((e) => same(e, entry))) return;
      changed = true;
      config[key] = [...list, entry];
    }
  };

  if (edit.insecureRegistry !== undefined) {
    const n = normalizeInsecureRegistry(edit.insecureRegistry);
    warnings.push(...n.warnings);
    result.insecureRegistry = n.value;
    apply(INSECURE_KEY, n.value, sameInsecure);
  }
  if (edit.mirror !== undefined) {
    const n = normalizeMirror(edit.mirror);
    warnings.push(...n.warnings);
    result.mirror = n.value;
    apply(MIRRORS_KEY, n.value, sameMirror);
  }
  result.changed = changed;
  return result;
}

function stringList(value: unknown, key: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((e) => typeof e !== 'string')) {
    throw new DaemonJsonError(`"${key}" in daemon.json must be a list of strings; Berth will not change it`);
  }
  return value as string[];
}

/**
 * Checks a whole config against the registry rules dockerd applies on start and reload, so a
 * file we write can never stop Docker on these keys (other keys are dockerd --validate's job).
 */
export function validateRegistryKeys(config: DaemonConfig): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const check = (key: string, normalize: (s: string) => Normalized, same: (a: string, b: string) => boolean) => {
    let list: string[];
    try {
      list = stringList(config[key], key);
    } catch (err) {
      errors.push((err as Error).message);
      return;
    }
    list.forEach((entry, i) => {
      try {
        warnings.push(...normalize(entry).warnings);
      } catch (err) {
        errors.push(`${key}[${i}]: ${(err as Error).message}`);
      }
      // dockerd tolerates repeats; we never add one, and only point out the user's.
      if (list.findIndex((e) => same(e, entry)) < i) warnings.push(`${key}: "${entry}" is listed twice`);
    });
  };
  check(INSECURE_KEY, normalizeInsecureRegistry, sameInsecure);
  check(MIRRORS_KEY, normalizeMirror, sameMirror);
  return { errors, warnings };
}

/** A unified diff of current → next, labelled with the file's path. */
export function daemonDiff(path: string, current: string, next: string): string {
  return createTwoFilesPatch(path, path, current, next, 'current', 'after Berth\'s change', { context: 3 });
}
