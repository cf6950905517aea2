// Understands just enough of a manifest to validate it and index it: its media type, the
// blobs and child manifests it references, and its OCI 1.1 subject/artifactType. The bytes
// themselves are stored exactly as pushed; nothing here re-serialises them.
import { RegistryError } from '../errors';
import { parseDigest, type Digest } from '../reference';

export const MediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

const SUPPORTED = new Set<string>([
  MediaTypes.dockerManifest, MediaTypes.dockerList, MediaTypes.ociManifest, MediaTypes.ociIndex,
]);

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface ParsedManifest {
  mediaType: string;
  isIndex: boolean;
  config?: Descriptor;
  layers: Descriptor[];
  /** Children of an index or manifest list. */
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const invalid = (why: string, detail?: unknown) => new RegistryError('manifest-invalid', `manifest invalid: ${why}`, detail);

function obj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function descriptor(v: unknown, where: string): Descriptor {
  if (!obj(v)) throw invalid(`${where} is not a descriptor`);
  const { mediaType, digest, size, urls, artifactType, annotations, platform } = v;
  if (typeof mediaType !== 'string' || mediaType === '') throw invalid(`${where}.mediaType is missing`);
  const d = typeof digest === 'string' ? parseDigest(digest) : undefined;
  if (!d) throw invalid(`${where}.digest is not a valid digest`, { digest });
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(`${where}.size is invalid`);
  const out: Descriptor = { mediaType, digest: d, size };
  if (urls !== undefined) {
    if (!Array.isArray(urls) || !urls.every((u) => typeof u === 'string')) throw invalid(`${where}.urls is invalid`);
    out.urls = urls as string[];
  }
  if (typeof artifactType === 'string') out.artifactType = artifactType;
  if (obj(annotations)) out.annotations = annotations as Record<string, string>;
  if (obj(platform)) out.platform = platform as Descriptor['platform'];
  return out;
}

function list(v: unknown, where: string): Descriptor[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(`${where} is not a list`);
  return v.map((d, i) => descriptor(d, `${where}[${i}]`));
}

/**
 * Parses a manifest body. `contentType` is the PUT's Content-Type (distribution requires one of
 * the four registered types); the body's own mediaType must agree with it when present.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw invalid('body is not valid JSON');
  }
  if (!obj(json)) throw invalid('body is not a JSON object');
  if (json.schemaVersion !== 2) throw invalid('schemaVersion must be 2', { schemaVersion: json.schemaVersion ?? null });

  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase() || declared || inferType(json);
  if (!SUPPORTED.has(type)) throw invalid(`unsupported manifest media type ${JSON.stringify(type)}`, { mediaType: type });
  if (declared !== undefined && declared !== type) {
    throw invalid(`mediaType ${JSON.stringify(declared)} does not match Content-Type ${JSON.stringify(type)}`);
  }
  if ((type === MediaTypes.dockerManifest || type === MediaTypes.dockerList) && declared !== type) {
    throw invalid('Docker manifests must declare their mediaType');
  }

  const isIndex = type === MediaTypes.ociIndex || type === MediaTypes.dockerList;
  const out: ParsedManifest = { mediaType: type, isIndex, layers: [], manifests: [] };
  if (isIndex) {
    if (json.config !== undefined || json.layers !== undefined) throw invalid('an index cannot have config or layers');
    if (!Array.isArray(json.manifests)) throw invalid('manifests is required in an index');
    out.manifests = list(json.manifests, 'manifests');
  } else {
    if (json.manifests !== undefined) throw invalid('an image manifest cannot have manifests');
    out.config = descriptor(json.config, 'config');
    if (!Array.isArray(json.layers)) throw invalid('layers is required in an image manifest');
    out.layers = list(json.layers, 'layers');
  }
  if (json.subject !== undefined) out.subject = descriptor(json.subject, 'subject');
  if (typeof json.artifactType === 'string') out.artifactType = json.artifactType;
  if (obj(json.annotations)) out.annotations = json.annotations as Record<string, string>;
  return out;
}

/** The media type of a stored manifest: its own field, else OCI by shape (as distribution). */
export function storedMediaType(bytes: Uint8Array): string {
  try {
    const json = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
    if (typeof json.mediaType === 'string' && json.mediaType) return json.mediaType;
    return inferType(json);
  } catch {
    return MediaTypes.ociManifest;
  }
}

function inferType(json: Record<string, unknown>): string {
  return Array.isArray(json.manifests) ? MediaTypes.ociIndex : MediaTypes.ociManifest;
}
