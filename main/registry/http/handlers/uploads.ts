// Blob uploads: end-4a/b (POST, monolithic POST ?digest=), end-11 (mount), end-5 (PATCH),
// end-6 (PUT), end-13 (GET status), DELETE to cancel. Upload URLs carry no signed state: the
// upload directory on disk is the state, so an upload survives a restart.
import { clientKey } from '../../../lib/client-address';
import { RegistryError } from '../../errors';
import { assertName, parseDigest, requireDigest, type Digest } from '../../reference';
import { apiUrl, header, send, type RequestContext } from '../context';
import { contentLength, hasBody } from '../read-body';

function uploadHeaders(ctx: RequestContext, id: string, size: number): Record<string, string | number> {
  return {
    Location: apiUrl(ctx, `/v2/${ctx.name}/blobs/uploads/${id}`),
    'Docker-Upload-UUID': id,
    // distribution's form: no "bytes=" prefix, and 0-0 for an empty upload.
    Range: `0-${Math.max(size - 1, 0)}`,
    'Content-Length': 0,
  };
}

function created(ctx: RequestContext, digest: string): void {
  send(ctx.res, 201, {
    Location: apiUrl(ctx, `/v2/${ctx.name}/blobs/${digest}`),
    'Docker-Content-Digest': digest,
    'Content-Length': 0,
  });
}

/** PATCH and PUT bodies must be raw bytes (distribution refuses other content types too). */
function checkContentType(ctx: RequestContext): void {
  const ct = header(ctx.req, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (ct && ct !== 'application/octet-stream') {
    throw new RegistryError('blob-upload-invalid', `unsupported Content-Type ${JSON.stringify(ct)} for blob data`);
  }
}

export async function postUpload(ctx: RequestContext): Promise<void> {
  const { store } = ctx;
  const mount = ctx.url.searchParams.get('mount');
  const mountDigest = mount ? parseDigest(mount) : undefined;
  if (mountDigest && (await tryMount(ctx, mountDigest))) return created(ctx, mountDigest.value);

  const digestParam = ctx.url.searchParams.get('digest');
  if (digestParam !== null) {
    // Single-request monolithic upload (spec end-4b): the whole blob is the POST body.
    const digest = requireDigest(digestParam);
    checkContentType(ctx);
    const id = await store.uploads.create(ctx.name, uploadClient(ctx));
    try {
      await store.uploads.commit(ctx.name, id, digest, ctx.req, contentLength(ctx.req), { ownedChunks: true });
    } catch (err) {
      await store.uploads.cancel(ctx.name, id).catch(() => undefined);
      throw err;
    }
    return created(ctx, digest.value);
  }
  const id = await store.uploads.create(ctx.name, uploadClient(ctx));
  // No OCI-Chunk-Min-Length: the spec asks for it only "if the registry has a minimum chunk
  // size", and Berth has none (chunks append to one file; any length, down to one byte, works).
  send(ctx.res, 202, uploadHeaders(ctx, id, 0));
}

/** What berth.uploads.maxperclient counts under: the peer address, IPv6 by /64. */
function uploadClient(ctx: RequestContext): string {
  return clientKey(ctx.req.socket.remoteAddress ?? 'unknown');
}

/**
 * Cross-repository mount. With `from`, the blob must be linked there (the dispatcher has
 * authorised pull on `from`). Without it (spec 1.1 allows this) the blob must be linked in some
 * repository this client may pull from: a stored blob is not readable by everyone who can push
 * somewhere, and a mount must neither hand it over nor reveal that it exists. Anything else falls
 * back to a normal upload session, which the spec requires instead of an error.
 */
async function tryMount(ctx: RequestContext, digest: Digest): Promise<boolean> {
  // An empty `from=` is no source at all, as clients that always send the parameter mean it.
  const from = ctx.url.searchParams.get('from') || undefined;
  const { blobs } = ctx.store;
  if (from) assertName(from);
  const source = from ?? (await readableSource(ctx, digest));
  if (source === undefined) return false;
  // Check and link as one guarded operation, so an online GC cannot delete the blob between.
  return blobs.guard.run(async () => {
    const info = await blobs.resolve(source, digest);
    if (!info) return false;
    await blobs.link(ctx.name, digest, info.canonical);
    return true;
  });
}

/**
 * A repository that links `digest` and that this client may pull from. Only sha256 digests
 * (what blobs are stored under) are looked for, and only when the blob is stored at all, so an
 * unknown digest costs one stat; a stored one is looked for in the target first, then in the
 * catalog's repositories, by their link files (cached), asking the access controller only about
 * repositories that have the blob.
 */
async function readableSource(ctx: RequestContext, digest: Digest): Promise<string | undefined> {
  const { blobs, catalog } = ctx.store;
  if (digest.algorithm !== 'sha256' || (await blobs.size(digest)) === undefined) return undefined;
  for (const name of [ctx.name, ...(await catalog.all())]) {
    if ((await blobs.resolve(name, digest)) && (await ctx.mayPull(name))) return name;
  }
  return undefined;
}

export async function patchUpload(ctx: RequestContext): Promise<void> {
  checkContentType(ctx);
  const range = header(ctx.req, 'content-range');
  let start: number | undefined;
  const length = contentLength(ctx.req);
  if (range) {
    const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(range.trim());
    if (!m) throw new RegistryError('range-invalid', `malformed Content-Range ${JSON.stringify(range)}`);
    start = Number(m[1]);
    const end = Number(m[2]);
    if (end < start) throw new RegistryError('range-invalid', `malformed Content-Range ${JSON.stringify(range)}`);
    if (length !== undefined && length !== end - start + 1) {
      throw new RegistryError('size-invalid', `Content-Length ${length} does not match Content-Range ${range}`);
    }
  }
  const size = await ctx.store.uploads.append(ctx.name, ctx.param, ctx.req, { start, length, ownedChunks: true });
  send(ctx.res, 202, uploadHeaders(ctx, ctx.param, size));
}

export async function putUpload(ctx: RequestContext): Promise<void> {
  const digest = requireDigest(ctx.url.searchParams.get('digest'));
  let body: typeof ctx.req | undefined;
  if (hasBody(ctx.req)) {
    checkContentType(ctx);
    const range = header(ctx.req, 'content-range');
    const m = range ? /^(?:bytes[ =])?(\d+)-(\d+)/.exec(range.trim()) : null;
    if (m && Number(m[1]) !== (await ctx.store.uploads.size(ctx.name, ctx.param))) {
      throw new RegistryError('range-invalid', 'chunk is out of order');
    }
    body = ctx.req;
  }
  await ctx.store.uploads.commit(ctx.name, ctx.param, digest, body, body ? contentLength(ctx.req) : undefined, { ownedChunks: true });
  created(ctx, digest.value);
}

export async function getUpload(ctx: RequestContext): Promise<void> {
  const size = await ctx.store.uploads.size(ctx.name, ctx.param);
  send(ctx.res, 204, uploadHeaders(ctx, ctx.param, size));
}

export async function deleteUpload(ctx: RequestContext): Promise<void> {
  await ctx.store.uploads.cancel(ctx.name, ctx.param);
  send(ctx.res, 204, { 'Docker-Upload-UUID': ctx.param, 'Content-Length': 0 });
}
