// end-12a/b: GET /v2/<name>/referrers/<digest>[?artifactType=…] (distribution spec v1.1).
// Always an image index, possibly empty; never a 404 for an unknown subject.
import { MediaTypes } from '../../manifest/parse-manifest';
import { requireDigest } from '../../reference';
import { sendJson, type RequestContext } from '../context';

export async function getReferrers(ctx: RequestContext): Promise<void> {
  const subject = requireDigest(ctx.param);
  const filter = ctx.url.searchParams.get('artifactType');
  let entries = await ctx.store.manifests.referrers.list(ctx.name, subject.value);
  const headers: Record<string, string> = { 'Content-Type': MediaTypes.ociIndex };
  if (filter) {
    entries = entries.filter((e) => e.descriptor.artifactType === filter);
    headers['OCI-Filters-Applied'] = 'artifactType';
  }
  sendJson(ctx.res, 200, { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: entries.map((e) => e.descriptor) }, headers);
}
