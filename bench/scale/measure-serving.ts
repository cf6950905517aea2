// What one server does on a large store once started: how soon it answers (GET /v2/ and a
// correct first _catalog page), its memory, _catalog and tags/list latency, and a full catalog
// walk. Every listing is verified against the fixture's names (parsed the first time; later
// bodies byte for byte against one that passed).
import { Histogram } from '../histogram';
import { BenchError, expectStatus, request, type Target } from '../http';
import { rssBytes } from '../proc-stats';
import type { RunningServer } from '../servers';
import { TAGS_REPOSITORY } from './fixture';

const MiB = 1024 * 1024;
export const PAGE = 100;
/** The largest page both accept (catalog.maxentries' default). */
const WALK_PAGE = 1000;

export interface Latency { p50Ms: number; p99Ms: number; count: number }
export interface Budget { repeats: number; ms: number }

export interface ServingResult {
  /** Spawn → first GET /v2/ answered. */
  startMs: number;
  /** Spawn → first _catalog?n=100 page with the right 100 names. */
  firstCatalogMs: number;
  rssAfterStartMiB: number;
  catalogPage: Latency;
  /** Every page of n=1000 until no Link; null when the budget ran out first. */
  catalogWalkMs: number | null;
  catalogWalkPages: number;
  catalogWalkNames: number;
  tagsFull: Latency;
  tagsPage: Latency;
  /** The server answered the paged request with every tag (it does not page tags/list). */
  tagsPageIgnoresN: boolean;
}

export const latency = (h: Histogram): Latency => ({ p50Ms: h.percentile(50), p99Ms: h.percentile(99), count: h.count });

/** Runs `op` `budget.repeats` times or until `budget.ms` has passed (at least 5 times). */
export async function repeat(budget: Budget, op: () => Promise<void>): Promise<Latency> {
  const h = new Histogram();
  const end = performance.now() + budget.ms;
  for (let i = 0; i < budget.repeats && (i < 5 || performance.now() < end); i++) {
    const t0 = performance.now();
    await op();
    h.record(performance.now() - t0);
  }
  return latency(h);
}

/** A GET whose body must be a known listing: parsed and checked once, then compared as bytes. */
function listingCheck(t: Target, path: string, check: (body: unknown) => string | undefined) {
  let good: Buffer | undefined;
  return async (): Promise<Buffer> => {
    const r = await request(t, 'GET', path);
    expectStatus(r, 200, `GET ${path}`);
    if (good !== undefined && r.body!.equals(good)) return r.body!;
    const why = check(JSON.parse(r.body!.toString('utf8')));
    if (why !== undefined) throw new BenchError(`GET ${path} on ${t.name}: ${why}`);
    good = r.body!;
    return good;
  };
}

function sameList(got: unknown, want: readonly string[], sort = false): string | undefined {
  if (!Array.isArray(got)) return `expected a list, got ${JSON.stringify(got).slice(0, 200)}`;
  // distribution 2.8.2 lists tags in directory order; from 3.0 on, and Berth, in byte order.
  const g = sort ? [...(got as string[])].sort() : (got as string[]);
  if (g.length !== want.length) return `${g.length} entries, expected ${want.length}`;
  const i = g.findIndex((x, k) => x !== want[k]);
  return i < 0 ? undefined : `entry ${i} is ${JSON.stringify(g[i])}, expected ${JSON.stringify(want[i])}`;
}

export interface ServingInput {
  names: readonly string[];
  tags: readonly string[];
  budget: Budget;
  walkBudgetMs: number;
  readyTimeoutMs: number;
}

export async function measureServing(server: RunningServer, t: Target, x: ServingInput): Promise<ServingResult> {
  const firstPage = listingCheck(t, `/v2/_catalog?n=${PAGE}`, (b) => sameList((b as { repositories?: unknown }).repositories, x.names.slice(0, PAGE)));
  // The first correct page: a server that builds its index in the background may answer an
  // incomplete page first, which does not count.
  let firstCatalogMs = NaN;
  const deadline = server.spawnedAt + x.readyTimeoutMs;
  for (;;) {
    try {
      await firstPage();
      firstCatalogMs = performance.now() - server.spawnedAt;
      break;
    } catch (e) {
      if (performance.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const rssAfterStartMiB = rssBytes(server.pids()) / MiB;
  const catalogPage = await repeat(x.budget, async () => { await firstPage(); });

  // The whole catalog, n=1000 per page, following Link until there is none.
  const t0 = performance.now();
  const seen: string[] = [];
  let pages = 0;
  let next: string | undefined = `/v2/_catalog?n=${WALK_PAGE}`;
  let walkMs: number | null = null;
  while (next !== undefined) {
    if (performance.now() - t0 > x.walkBudgetMs) break;
    const r = await request(t, 'GET', next, { timeoutMs: x.walkBudgetMs });
    expectStatus(r, 200, `GET ${next}`);
    pages++;
    seen.push(...(JSON.parse(r.body!.toString('utf8')) as { repositories: string[] }).repositories);
    const link = /<([^>]+)>/.exec(r.headers.link ?? '');
    const u = link ? new URL(link[1]!, t.baseUrl) : undefined;
    next = u ? u.pathname + u.search : undefined;
    if (next === undefined) walkMs = performance.now() - t0;
  }
  if (walkMs !== null) {
    const why = sameList(seen, x.names);
    if (why !== undefined) throw new BenchError(`catalog walk on ${t.name}: ${why}`);
  }

  const base = `/v2/${TAGS_REPOSITORY}/tags/list`;
  const full = listingCheck(t, base, (b) => sameList((b as { tags?: unknown }).tags, x.tags, true));
  const tagsFull = await repeat(x.budget, async () => { await full(); });
  const mid = x.tags[Math.floor(x.tags.length / 2)]!;
  let tagsPageIgnoresN = false;
  const paged = listingCheck(t, `${base}?n=${PAGE}&last=${mid}`, (b) => {
    const got = (b as { tags?: unknown }).tags;
    // distribution 2.8.2 ignores n and last on tags/list and answers every tag (3.0 pages).
    if (Array.isArray(got) && got.length === x.tags.length && sameList(got, x.tags, true) === undefined) {
      tagsPageIgnoresN = true;
      return undefined;
    }
    const i = x.tags.indexOf(mid);
    return sameList(got, x.tags.slice(i + 1, i + 1 + PAGE));
  });
  const tagsPage = await repeat(x.budget, async () => { await paged(); });

  return {
    startMs: server.startMs, firstCatalogMs, rssAfterStartMiB, catalogPage,
    catalogWalkMs: walkMs, catalogWalkPages: pages, catalogWalkNames: seen.length, tagsFull, tagsPage, tagsPageIgnoresN,
  };
}
