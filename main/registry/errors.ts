// Tiers 2 and 3 of the error model. Stores and handlers throw `RegistryError`s that say what
// went wrong in registry terms (a kind plus detail); `toWireError` is the one place that binds
// a kind to the OCI error code and HTTP status the spec (and distribution) use.

export type ErrorKind =
  | 'blob-unknown'
  | 'blob-upload-invalid'
  | 'blob-upload-unknown'
  | 'digest-invalid'
  | 'manifest-blob-unknown'
  | 'manifest-invalid'
  | 'manifest-unknown'
  | 'manifest-too-large'
  | 'name-invalid'
  | 'name-unknown'
  | 'size-invalid'
  | 'range-invalid'
  | 'tag-invalid'
  | 'pagination-invalid'
  | 'unauthorized'
  | 'denied'
  | 'unsupported'
  | 'too-many-requests'
  | 'unavailable'
  | 'storage-full'
  | 'request-invalid'
  | 'request-timeout'
  | 'endpoint-unknown';

export class RegistryError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message?: string,
    readonly detail?: unknown,
    /** Extra response headers, e.g. Retry-After for too-many-requests. */
    readonly headers?: Record<string, string>,
  ) {
    super(message ?? kind);
  }
}

export type OciErrorCode =
  | 'BLOB_UNKNOWN' | 'BLOB_UPLOAD_INVALID' | 'BLOB_UPLOAD_UNKNOWN' | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN' | 'MANIFEST_INVALID' | 'MANIFEST_UNKNOWN' | 'NAME_INVALID'
  | 'NAME_UNKNOWN' | 'SIZE_INVALID' | 'RANGE_INVALID' | 'TAG_INVALID' | 'PAGINATION_NUMBER_INVALID'
  | 'UNAUTHORIZED' | 'DENIED' | 'UNSUPPORTED' | 'TOOMANYREQUESTS' | 'UNAVAILABLE' | 'UNKNOWN';

interface WireEntry { code: OciErrorCode; status: number; message: string }

// Codes and default messages are the distribution spec's (code-1…code-14) plus distribution's
// registered extras; statuses follow distribution's errcode/register.go except where the spec
// is explicit (413 for an oversize manifest, 416 for an out-of-order chunk).
const WIRE: Record<ErrorKind, WireEntry> = {
  'blob-unknown': { code: 'BLOB_UNKNOWN', status: 404, message: 'blob unknown to registry' },
  'blob-upload-invalid': { code: 'BLOB_UPLOAD_INVALID', status: 400, message: 'blob upload invalid' },
  'blob-upload-unknown': { code: 'BLOB_UPLOAD_UNKNOWN', status: 404, message: 'blob upload unknown to registry' },
  'digest-invalid': { code: 'DIGEST_INVALID', status: 400, message: 'provided digest did not match uploaded content' },
  'manifest-blob-unknown': { code: 'MANIFEST_BLOB_UNKNOWN', status: 400, message: 'manifest references a manifest or blob unknown to registry' },
  'manifest-invalid': { code: 'MANIFEST_INVALID', status: 400, message: 'manifest invalid' },
  'manifest-unknown': { code: 'MANIFEST_UNKNOWN', status: 404, message: 'manifest unknown to registry' },
  'manifest-too-large': { code: 'MANIFEST_INVALID', status: 413, message: 'manifest too large' },
  'name-invalid': { code: 'NAME_INVALID', status: 400, message: 'invalid repository name' },
  'name-unknown': { code: 'NAME_UNKNOWN', status: 404, message: 'repository name not known to registry' },
  'size-invalid': { code: 'SIZE_INVALID', status: 400, message: 'provided length did not match content length' },
  'range-invalid': { code: 'RANGE_INVALID', status: 416, message: 'invalid content range' },
  'tag-invalid': { code: 'TAG_INVALID', status: 400, message: 'manifest tag did not match URI' },
  'pagination-invalid': { code: 'PAGINATION_NUMBER_INVALID', status: 400, message: 'invalid number of results requested' },
  unauthorized: { code: 'UNAUTHORIZED', status: 401, message: 'authentication required' },
  denied: { code: 'DENIED', status: 403, message: 'requested access to the resource is denied' },
  unsupported: { code: 'UNSUPPORTED', status: 405, message: 'the operation is unsupported' },
  'too-many-requests': { code: 'TOOMANYREQUESTS', status: 429, message: 'too many requests' },
  unavailable: { code: 'UNAVAILABLE', status: 503, message: 'service unavailable' },
  'storage-full': { code: 'UNKNOWN', status: 507, message: 'insufficient storage: the registry ran out of disk space' },
  'request-invalid': { code: 'UNKNOWN', status: 400, message: 'bad request' },
  'request-timeout': { code: 'UNKNOWN', status: 408, message: 'the request body arrived too slowly' },
  // Not an API path at all; distribution answers a plain-text 404 here, we keep the envelope.
  'endpoint-unknown': { code: 'UNSUPPORTED', status: 404, message: 'no such API endpoint' },
};

export interface WireError {
  status: number;
  headers: Record<string, string>;
  body: { errors: Array<{ code: OciErrorCode; message: string; detail?: unknown }> };
}

/** The one mapping point from a thrown value to the OCI error envelope. */
export function toWireError(err: unknown): { wire: WireError; unexpected: boolean } {
  if (err instanceof RegistryError) {
    const entry = WIRE[err.kind];
    const message = err.message && err.message !== err.kind ? err.message : entry.message;
    const item: { code: OciErrorCode; message: string; detail?: unknown } = { code: entry.code, message };
    if (err.detail !== undefined) item.detail = err.detail;
    return { wire: { status: entry.status, headers: err.headers ?? {}, body: { errors: [item] } }, unexpected: false };
  }
  return {
    wire: { status: 500, headers: {}, body: { errors: [{ code: 'UNKNOWN', message: 'unknown error' }] } },
    unexpected: true,
  };
}

export const blobUnknown = (digest: string) => new RegistryError('blob-unknown', undefined, { digest });
export const manifestUnknown = (name: string, reference: string) =>
  new RegistryError('manifest-unknown', undefined, { name, reference });
export const nameUnknown = (name: string) => new RegistryError('name-unknown', undefined, { name });
export const uploadUnknown = (uuid: string) => new RegistryError('blob-upload-unknown', undefined, { uuid });
export const unsupported = (why: string) => new RegistryError('unsupported', why);
