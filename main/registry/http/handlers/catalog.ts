// GET /v2/_catalog — served from the in-memory catalog index, never a tree walk.
import { prefix, sendJson, type RequestContext } from '../context';
import { nextLink, parsePage } from '../pagination';

const DEFAULT_PAGE = 100;

export async function getCatalog(ctx: RequestContext): Promise<void> {
  const max = ctx.config.catalog.maxentries;
  const { n = Math.min(DEFAULT_PAGE, max), last } = parsePage(ctx.url, max);
  const page = await ctx.store.catalog.page(n, last);
  const headers: Record<string, string> = {};
  if (page.more && page.names.length > 0) {
    headers.Link = nextLink(`${prefix(ctx.config)}/v2/_catalog`, page.names[page.names.length - 1]!, n);
  }
  sendJson(ctx.res, 200, { repositories: page.names }, headers);
}
