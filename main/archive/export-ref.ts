// The references `berth export` takes: `name:tag`, `name@digest`, or a bare `name` for every tag
// of the repository. Names are this registry's repository names (no host part).
import { isValidName, parseDigest, TAG_RE, type Digest } from '../registry/reference';
import { ExportError } from './export-error';

export type ExportRef =
  | { kind: 'tag'; name: string; tag: string }
  | { kind: 'digest'; name: string; digest: Digest }
  | { kind: 'repository'; name: string };

export function parseExportRef(text: string): ExportRef {
  const at = text.indexOf('@');
  if (at >= 0) {
    const name = checkName(text.slice(0, at), text);
    const digest = parseDigest(text.slice(at + 1));
    if (!digest) throw new ExportError(`${JSON.stringify(text)}: ${JSON.stringify(text.slice(at + 1))} is not a digest (sha256:<64 hex>)`);
    return { kind: 'digest', name, digest };
  }
  const colon = text.lastIndexOf(':');
  if (colon > text.lastIndexOf('/')) {
    const name = checkName(text.slice(0, colon), text);
    const tag = text.slice(colon + 1);
    if (!TAG_RE.test(tag)) throw new ExportError(`${JSON.stringify(text)}: ${JSON.stringify(tag)} is not a valid tag`);
    return { kind: 'tag', name, tag };
  }
  return { kind: 'repository', name: checkName(text, text) };
}

function checkName(name: string, text: string): string {
  if (isValidName(name)) return name;
  const host = /^[^/]+[.:][^/]*\//.test(name) ? ' (give the repository name as this registry stores it, without a host)' : '';
  throw new ExportError(`${JSON.stringify(text)}: ${JSON.stringify(name)} is not a repository name${host}`);
}
