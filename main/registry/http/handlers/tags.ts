// end-8a/b: GET /v2/<name>/tags/list with n/last pagination, byte-order sorted.
import { byteOrder } from '../../storage/tag-store';
import { prefix, send, sendJson, type RequestContext } from '../context';
import { nextLink, parsePage } from '../pagination';

export async function getTags(ctx: RequestContext): Promise<void> {
  const all = await ctx.content.tags(ctx.name);
  const { n, last } = parsePage(ctx.url, Number.MAX_SAFE_INTEGER);
  if (n === undefined && last === undefined) {
    // The whole list, as clients ask for it: serialized once per version of the list.
    return send(ctx.res, 200, { 'Content-Type': 'application/json' }, wholeList(ctx.name, all));
  }
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

/**
 * Serialized whole lists, keyed by the list array itself: the tag store replaces its cached
 * array (never mutates it) whenever a tag is set or deleted, so a changed list is a new key and
 * the stale body is unreachable. Sources that build a new array per call simply miss.
 */
const serialized = new WeakMap<readonly string[], { name: string; body: Buffer }>();

function wholeList(name: string, tags: readonly string[]): Buffer {
  const hit = serialized.get(tags);
  if (hit && hit.name === name) return hit.body;
  const body = Buffer.from(JSON.stringify({ name, tags }));
  serialized.set(tags, { name, body });
  return body;
}
