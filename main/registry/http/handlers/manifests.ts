// end-3 (GET/HEAD), end-7 (PUT), end-9 (DELETE) on /v2/<name>/manifests/<reference>.
// What was pushed is what is served: the stored media type, whatever the Accept header says
// (distribution answers 404 to a client that did not list OCI types, #4385).
import { manifestUnknown, RegistryError, unsupported } from '../../errors';
import { parseReference, type Reference } from '../../reference';
import { apiUrl, header, send, type RequestContext } from '../context';
import { readBody } from '../read-body';

/**
 * The reference of a GET, HEAD or DELETE. Something that is neither a tag nor digest-shaped (no
 * ':') names nothing that can exist, so it is 404 MANIFEST_UNKNOWN, as in distribution (whose
 * route does not match it) and as the spec's "pull a nonexistent manifest" check expects. A
 * malformed digest stays 400 DIGEST_INVALID, as on the blob routes. PUT keeps TAG_INVALID.
 */
function lookupReference(ctx: RequestContext): Reference {
  try {
    return parseReference(ctx.param);
  } catch (err) {
    if (err instanceof RegistryError && err.kind === 'tag-invalid') throw manifestUnknown(ctx.name, ctx.param);
    throw err;
  }
}

export async function getManifest(ctx: RequestContext): Promise<void> {
  const m = await ctx.content.manifest(ctx.name, lookupReference(ctx), ctx.method === 'HEAD');
  const etag = `"${m.digest}"`;
  const headers = { 'Content-Type': m.mediaType, 'Docker-Content-Digest': m.digest, ETag: etag, 'Content-Length': m.bytes.length };
  if (matchesEtag(header(ctx.req, 'if-none-match'), m.digest)) return send(ctx.res, 304, headers);
  send(ctx.res, 200, headers, ctx.method === 'HEAD' ? undefined : m.bytes);
}

export async function putManifest(ctx: RequestContext): Promise<void> {
  const ref = parseReference(ctx.param);
  const body = await readBody(ctx.req, ctx.config.berth.manifestmaxbytes);
  const result = await ctx.store.manifests.put(ctx.name, ref, body, header(ctx.req, 'content-type'));
  const headers: Record<string, string | number> = {
    Location: apiUrl(ctx, `/v2/${ctx.name}/manifests/${result.digest.value}`),
    'Docker-Content-Digest': result.digest.value,
    'Content-Length': 0,
  };
  if (result.subject) headers['OCI-Subject'] = result.subject;
  send(ctx.res, 201, headers);
}

export async function deleteManifest(ctx: RequestContext): Promise<void> {
  if (!ctx.config.storage.delete.enabled) throw unsupported('deletes are disabled (storage.delete.enabled is false)');
  const ref = lookupReference(ctx);
  if (ref.kind === 'tag') {
    // Only this tag goes: other tags that share its digest stay.
    if (!(await ctx.store.tags.delete(ctx.name, ref.tag))) throw manifestUnknown(ctx.name, ref.tag);
  } else {
    await ctx.store.manifests.delete(ctx.name, ref.digest);
  }
  send(ctx.res, 202, { 'Content-Length': 0 });
}

export function matchesEtag(ifNoneMatch: string | undefined, digest: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '').replace(/^"|"$/g, '') === digest);
}
