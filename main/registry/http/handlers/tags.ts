// end-8a/b: GET /v2/<name>/tags/list with n/last pagination, byte-order sorted.
import { byteOrder } from '../../storage/tag-store';
import { prefix, sendJson, type RequestContext } from '../context';
import { nextLink, parsePage } from '../pagination';

export async function getTags(ctx: RequestContext): Promise<void> {
  const all = await ctx.content.tags(ctx.name);
  const { n, last } = parsePage(ctx.url, Number.MAX_SAFE_INTEGER);
  // Start after `last` even when `last` is not itself a tag (distribution skips one there).
  let start = 0;
  if (last !== undefined) {
    let lo = 0, hi = all.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (byteOrder(all[mid]!, last) <= 0) lo = mid + 1; else hi = mid; }
    start = lo;
  }
  const count = n ?? all.length - start;
  const tags = all.slice(start, start + count);
  const headers: Record<string, string> = {};
  if (n !== undefined && start + count < all.length && tags.length > 0) {
    headers.Link = nextLink(`${prefix(ctx.config)}/v2/${ctx.name}/tags/list`, tags[tags.length - 1]!, n);
  }
  sendJson(ctx.res, 200, { name: ctx.name, tags }, headers);
}
