// Non-distributable ("foreign") layers: layers a client fetches from the descriptor's `urls`
// instead of from the registry (Windows base layers, licensed content). image-spec layer.md
// "Non-Distributable Layers" (deprecated, still produced) and Docker schema2's foreign layer.
// Every rule about them lives here, so the push check, GC, fsck and the catalog agree:
//   - which layers are external: a non-distributable media type with at least one URL;
//   - which layers' `urls` are checked: those types plus the plain OCI layer types (as
//     distribution's ocimanifesthandler/schema2manifesthandler; +zstd added, which postdates them);
//   - which URLs pass: http or https, no fragment, then validation.manifests.urls.
import type { ValidationConfig } from '../../config/types';
import { RegistryError } from '../errors';
import type { Descriptor } from './parse-manifest';

const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
const OCI_NON_DISTRIBUTABLE = 'application/vnd.oci.image.layer.nondistributable.v1.tar';
const DOCKER_FOREIGN = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

/** Layer media types whose blob may live outside the registry. */
export const NON_DISTRIBUTABLE_LAYER_TYPES: ReadonlySet<string> = new Set([
  OCI_NON_DISTRIBUTABLE, `${OCI_NON_DISTRIBUTABLE}+gzip`, `${OCI_NON_DISTRIBUTABLE}+zstd`, DOCKER_FOREIGN,
]);

/** Media types whose `urls` must pass the policy; other descriptors' `urls` are not looked at. */
const URL_CHECKED_TYPES: ReadonlySet<string> = new Set([
  ...NON_DISTRIBUTABLE_LAYER_TYPES, OCI_LAYER, `${OCI_LAYER}+gzip`, `${OCI_LAYER}+zstd`,
]);

interface LayerLike { mediaType?: string; urls?: readonly string[] }

/**
 * A layer whose blob the registry does not need: non-distributable and carrying URLs. Without
 * URLs it is an ordinary layer whose blob must be pushed (distribution checks the blob of an
 * OCI non-distributable layer without URLs too).
 */
export function isExternalLayer(d: LayerLike): boolean {
  return d.mediaType !== undefined && NON_DISTRIBUTABLE_LAYER_TYPES.has(d.mediaType) && (d.urls?.length ?? 0) > 0;
}

/** Why `url` is refused, or undefined when it is allowed. */
export type UrlPolicy = (url: string) => string | undefined;

/**
 * distribution's rule (registry/handlers/app.go, storage/*manifesthandler.go): with validation
 * on and neither list set, no URL is allowed; otherwise a URL must match one `allow` pattern
 * when there are any, and no `deny` pattern. Patterns are unanchored searches, as Go's
 * MatchString. With validation disabled only the scheme and fragment rules remain.
 */
export function urlPolicy(validation: ValidationConfig): UrlPolicy {
  const compile = (patterns: string[]) => patterns.map((p) => new RegExp(p));
  const allow = compile(validation.manifests.urls.allow);
  const deny = compile(validation.manifests.urls.deny);
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'is not a URL';
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'is not http or https';
    if (parsed.hash !== '') return 'has a fragment';
    if (validation.disabled) return undefined;
    if (allow.length === 0 && deny.length === 0) return 'is not allowed: validation.manifests.urls.allow is empty';
    if (allow.length > 0 && !allow.some((r) => r.test(url))) return 'matches no pattern of validation.manifests.urls.allow';
    if (deny.some((r) => r.test(url))) return 'matches a pattern of validation.manifests.urls.deny';
    return undefined;
  };
}

/** Throws MANIFEST_BLOB_UNKNOWN (the code distribution reports for the layer) for the first refused URL. */
export function checkLayerUrls(d: Descriptor, policy: UrlPolicy): void {
  if (!URL_CHECKED_TYPES.has(d.mediaType)) return;
  for (const url of d.urls ?? []) {
    const why = policy(url);
    if (why) throw new RegistryError('manifest-blob-unknown', `layer URL ${JSON.stringify(url)} ${why}`, { digest: d.digest.value, url });
  }
}
