// SettingsPatch → edits of a config.yml document. distribution's keys are written field by field
// below; Berth's own (PLAIN_ROWS) by their rows in the setting table. Only the keys a patch
// touches are written, and through the yaml library's document model, so the user's comments, order and every key the
// settings do not cover survive. The result is always re-validated by parseConfig afterwards.
import type { Document } from 'yaml';
import type { Settings, SettingsPatch } from '../../preload/contract';
import { DEFAULTS } from '../config/defaults';
import { formatHostPort, parseListenAddress } from '../config/listen-address';
import { getField } from '../lib/dotted-path';
import { PLAIN_ROWS } from './rows';

/** Where an unshared registry listens: IPv4 loopback, which every client's "localhost" reaches. */
const LOOPBACK_HOST = '127.0.0.1';

type Doc = Document.Parsed | Document;

export function applySettingsPatch(doc: Doc, patch: SettingsPatch, current: Settings): void {
  if (patch.port !== undefined || patch.shareOnNetwork !== undefined) {
    doc.setIn(['http', 'addr'], listenAddress(stringAt(doc, ['http', 'addr']) ?? DEFAULTS.httpAddr, patch, current));
  }
  if (patch.dataDir !== undefined) {
    // Settings only know filesystem storage; choosing a folder switches an in-memory registry to it.
    deleteIfPresent(doc, ['storage', 'inmemory']);
    doc.setIn(['storage', 'filesystem', 'rootdirectory'], patch.dataDir);
  }
  if (patch.deleteEnabled !== undefined) doc.setIn(['storage', 'delete', 'enabled'], patch.deleteEnabled);

  if (patch.tls) {
    const tls = { ...current.tls, ...patch.tls };
    if (tls.enabled) {
      doc.setIn(['http', 'tls', 'certificate'], tls.certificate);
      doc.setIn(['http', 'tls', 'key'], tls.key);
      if (patch.tls.minimumTls !== undefined || doc.hasIn(['http', 'tls', 'minimumtls'])) doc.setIn(['http', 'tls', 'minimumtls'], tls.minimumTls);
    } else {
      deleteIfPresent(doc, ['http', 'tls']);
    }
  }

  if (patch.auth) {
    const auth = { ...current.auth, ...patch.auth };
    if (!touches(patch.auth, ['enabled', 'realm', 'htpasswdPath'])) {
      // only Berth's keys, below
    } else if (auth.enabled) {
      doc.setIn(['auth', 'htpasswd', 'realm'], auth.realm);
      doc.setIn(['auth', 'htpasswd', 'path'], auth.htpasswdPath);
    } else {
      deleteIfPresent(doc, ['auth', 'htpasswd']);
      if (isEmptyMap(doc, ['auth'])) doc.delete('auth');
    }
    if (patch.auth.anonymousPull !== undefined) doc.setIn(['berth', 'auth', 'anonymous'], auth.anonymousPull ? 'pull' : 'none');
  }

  if (patch.proxy) {
    const proxy = { ...current.proxy, ...patch.proxy };
    if (!touches(patch.proxy, ['enabled', 'remoteUrl', 'username', 'password', 'ttl'])) {
      // only Berth's keys, below
    } else if (proxy.enabled) {
      doc.setIn(['proxy', 'remoteurl'], proxy.remoteUrl);
      setOrDelete(doc, ['proxy', 'username'], proxy.username);
      // The password is write-only in the UI: "" means "keep the stored one", unless the
      // username is cleared too (anonymous upstream), which drops it.
      if (!proxy.username) deleteIfPresent(doc, ['proxy', 'password']);
      else if (patch.proxy.password) doc.setIn(['proxy', 'password'], patch.proxy.password);
      doc.setIn(['proxy', 'ttl'], proxy.ttl);
    } else {
      doc.delete('proxy');
    }
  }

  for (const row of PLAIN_ROWS) {
    const value = getField(patch, row.ui.field);
    if (value === undefined) continue;
    const path = row.path.split('.');
    // An empty list is the default: the key goes rather than staying as `[]`.
    if (Array.isArray(value) && value.length === 0) deleteIfPresent(doc, path);
    else doc.setIn(path, Array.isArray(value) ? doc.createNode(value, { flow: true }) : value);
  }
}

/**
 * The new http.addr: the patch's port on the same host, unless sharing is switched, which
 * moves between loopback and every interface. A specific address (one LAN interface) counts as
 * shared, so switching sharing on keeps it.
 */
function listenAddress(addr: string, patch: SettingsPatch, current: Settings): string {
  const port = patch.port ?? current.port;
  let host: string | undefined;
  try {
    host = parseListenAddress(addr).host;
  } catch {
    host = undefined;
  }
  if (patch.shareOnNetwork !== undefined && patch.shareOnNetwork !== current.shareOnNetwork) {
    host = patch.shareOnNetwork ? undefined : LOOPBACK_HOST;
  }
  return host ? formatHostPort(host, port) : `:${port}`;
}

function stringAt(doc: Doc, path: string[]): string | undefined {
  const v = doc.getIn(path);
  return typeof v === 'string' ? v : undefined;
}

function setOrDelete(doc: Doc, path: string[], value: string): void {
  if (value) doc.setIn(path, value);
  else deleteIfPresent(doc, path);
}

/** yaml's deleteIn throws when a parent is missing (or a scalar); a missing key is already deleted. */
function deleteIfPresent(doc: Doc, path: string[]): void {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1)) : doc.contents;
  if (parent && typeof parent === 'object' && 'has' in parent && (parent as { has(k: string): boolean }).has(path[path.length - 1]!)) doc.deleteIn(path);
}

function touches(patch: object, keys: string[]): boolean {
  return keys.some((k) => k in patch);
}

function isEmptyMap(doc: Doc, path: string[]): boolean {
  const v = doc.getIn(path) as { items?: unknown[] } | null | undefined;
  return v === null || v === undefined || (Array.isArray(v.items) && v.items.length === 0);
}
