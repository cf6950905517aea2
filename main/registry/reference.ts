// Name, tag and digest grammars of the distribution spec (and github.com/distribution/reference),
// shared by the router, the stores and validation. Anything that reaches a storage path has
// passed one of these, which is what keeps `..` and friends out of the storage root.
import { isValidName, TAG_RE } from '../../preload/contract/repository-name';
import { RegistryError } from './errors';

export { isValidName, NAME_MAX, NAME_RE, TAG_RE } from '../../preload/contract/repository-name';
// Algorithm grammar from the spec; only registered algorithms are accepted further on.
export const DIGEST_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
// distribution's route allows [a-zA-Z0-9-_.=]+; a leading '.' ('..', '...') is refused here too,
// since such an id could never be a storage path segment (it was a 500 from the driver).
export const UPLOAD_ID_RE = /^[A-Za-z0-9_=-][A-Za-z0-9._=-]{0,127}$/;

const HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export interface Digest { algorithm: 'sha256' | 'sha384' | 'sha512'; hex: string; value: string }

export function assertName(name: string): void {
  if (!isValidName(name)) throw new RegistryError('name-invalid', undefined, { name });
}

export function isTag(ref: string): boolean {
  return TAG_RE.test(ref);
}

/** Parses a digest string, accepting only algorithms we can verify, with exact lower-case hex. */
export function parseDigest(value: string): Digest | undefined {
  if (!DIGEST_RE.test(value)) return undefined;
  const i = value.indexOf(':');
  const algorithm = value.slice(0, i);
  const hex = value.slice(i + 1);
  const len = HEX_LENGTH[algorithm];
  if (len === undefined || hex.length !== len || !/^[0-9a-f]+$/.test(hex)) return undefined;
  return { algorithm: algorithm as Digest['algorithm'], hex, value };
}

export function requireDigest(value: string | null | undefined): Digest {
  const d = value ? parseDigest(value) : undefined;
  if (!d) throw new RegistryError('digest-invalid', 'invalid digest', { digest: value ?? null });
  return d;
}

/**
 * A manifest reference is a tag or a digest (anything with ':' is taken for a digest, which a tag
 * cannot contain). Anything else is TAG_INVALID; lookups turn that into MANIFEST_UNKNOWN
 * (http/handlers/manifests.ts).
 */
export type Reference = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: Digest };

export function parseReference(ref: string): Reference {
  if (ref.includes(':')) {
    const digest = parseDigest(ref);
    if (!digest) throw new RegistryError('digest-invalid', 'invalid digest', { digest: ref });
    return { kind: 'digest', digest };
  }
  if (!isTag(ref)) throw new RegistryError('tag-invalid', 'invalid tag', { tag: ref });
  return { kind: 'tag', tag: ref };
}
