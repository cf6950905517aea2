// end-2 (GET/HEAD) and end-10 (DELETE) on /v2/<name>/blobs/<digest>. Bodies are streamed from
// the driver; Range requests get 206/416 like Go's http.ServeContent in distribution.
import { pipeline } from 'node:stream/promises';
import { RegistryError, blobUnknown, unsupported } from '../../errors';
import { requireDigest } from '../../reference';
import { isDirectBody } from '../../storage/driver/types';
import { header, send, type RequestContext } from '../context';
import { parseRange } from '../range';
import { matchesEtag } from './manifests';

export async function getBlob(ctx: RequestContext): Promise<void> {
  const digest = requireDigest(ctx.param);
  const blob = await ctx.content.blob(ctx.name, digest, ctx.method === 'HEAD');
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest.value,
    ETag: `"${digest.value}"`,
    'Cache-Control': 'max-age=31536000',
    'Accept-Ranges': 'bytes',
  };
  if (matchesEtag(header(ctx.req, 'if-none-match'), digest.value)) return send(ctx.res, 304, headers);
  const range = parseRange(header(ctx.req, 'range'), blob.size);
  if (range.kind === 'unsatisfiable') {
    throw new RegistryError('range-invalid', 'requested range not satisfiable', { size: blob.size }, { 'Content-Range': `bytes */${blob.size}` });
  }
  let status = 200;
  let start = 0;
  let end = blob.size - 1;
  if (range.kind === 'range') {
    status = 206;
    ({ start, end } = range);
    headers['Content-Range'] = `bytes ${start}-${end}/${blob.size}`;
  }
  headers['Content-Length'] = blob.size === 0 ? 0 : end - start + 1;
  if (ctx.method === 'HEAD' || blob.size === 0) return send(ctx.res, status, headers);
  const stream = await blob.open({ start, end });
  for (const [k, v] of Object.entries(headers)) ctx.res.setHeader(k, v);
  ctx.res.statusCode = status;
  if (isDirectBody(stream)) await stream.sendTo(ctx.res);
  else await pipeline(stream, ctx.res);
}

export async function deleteBlob(ctx: RequestContext): Promise<void> {
  if (!ctx.config.storage.delete.enabled) throw unsupported('deletes are disabled (storage.delete.enabled is false)');
  const digest = requireDigest(ctx.param);
  if (!(await ctx.store.blobs.unlink(ctx.name, digest))) throw blobUnknown(digest.value);
  send(ctx.res, 202, { 'Content-Length': 0 });
}
