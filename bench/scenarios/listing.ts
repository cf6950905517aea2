// Listing: the first `_catalog?n=100` page with 1,000 repositories, and tags/list of a
// repository with 1,000 tags. Seeded through the API (mount + manifest PUT, concurrency 16).
import { pushImage, smallImage, type SmallImage } from '../images';
import { BenchError, expectStatus, request, type Target } from '../http';
import { runLoad } from '../load';
import { mountBlob, putManifest } from '../registry-client';
import { bounds, type Scenario, type ScenarioContext } from './types';

const REPOS = 1000;
const TAGS = 1000;
const SEED_CONCURRENCY = 16;
const pad = (i: number) => String(i).padStart(4, '0');

async function seedRepos(ctx: ScenarioContext): Promise<string> {
  return ctx.memo('catalog-seed', async () => {
    const t = ctx.target;
    const img = smallImage('catalog', 1024);
    const src = `catalog/r${pad(0)}`;
    await pushImage(t, src, 'latest', img);
    const t0 = performance.now();
    await runLoad(async (seq) => {
      const repo = `catalog/r${pad(seq + 1)}`;
      await mountBlob(t, repo, src, img.configDigest);
      await mountBlob(t, repo, src, img.layerDigest);
      await putManifest(t, repo, 'latest', img.manifest, img.mediaType);
      return 0;
    }, { concurrency: SEED_CONCURRENCY, durationMs: 600_000, maxOps: REPOS - 1 });
    ctx.log(`seeded ${REPOS} repositories in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const all = await walkCatalog(t);
    const missing = Array.from({ length: REPOS }, (_, i) => `catalog/r${pad(i)}`).filter((r) => !all.has(r));
    if (missing.length > 0) throw new BenchError(`catalog lacks ${missing.length} seeded repositories, e.g. ${missing[0]}`);
    const first = await catalogPage(t);
    return first.join('\n');
  });
}

async function catalogPage(t: Target, query = 'n=100'): Promise<string[]> {
  const r = await request(t, 'GET', `/v2/_catalog?${query}`);
  expectStatus(r, 200, `GET _catalog?${query}`);
  if (!/rel="next"/.test(String(r.headers['link']))) throw new BenchError(`_catalog?${query}: no Link rel="next"`);
  return catalogBody(r.body!);
}

function catalogBody(body: Buffer): string[] {
  const repos = (JSON.parse(body.toString('utf8')) as { repositories?: unknown }).repositories;
  if (!Array.isArray(repos)) throw new BenchError('_catalog: no repositories array');
  return repos as string[];
}

/**
 * Listing bodies are verified in full (parsed, every entry checked); a body byte-for-byte equal
 * to one that passed is the same content, so it passes too, at memcmp cost instead of a parse
 * of 1,000 entries per request (which made the load generator the bottleneck).
 */
class VerifiedBodies {
  private readonly ok: Buffer[] = [];
  check(body: Buffer, verify: (body: Buffer) => void): void {
    if (this.ok.some((b) => b.equals(body))) return;
    verify(body);
    if (this.ok.length < 4) this.ok.push(Buffer.from(body));
  }
}

/** Every repository, through n/last pagination (bounded number of pages). */
async function walkCatalog(t: Target): Promise<Set<string>> {
  const all = new Set<string>();
  let last: string | undefined;
  for (let page = 0; page < 100; page++) {
    const r = await request(t, 'GET', `/v2/_catalog?n=100${last === undefined ? '' : `&last=${encodeURIComponent(last)}`}`);
    expectStatus(r, 200, 'GET _catalog page');
    const repos = (JSON.parse(r.body!.toString('utf8')) as { repositories: string[] }).repositories;
    repos.forEach((x) => all.add(x));
    if (repos.length === 0 || r.headers['link'] === undefined) break;
    last = repos[repos.length - 1];
  }
  return all;
}

function catalogScenario(concurrency: number): Scenario {
  return {
    name: `catalog-c${concurrency}`,
    description: `first _catalog?n=100 page with ${REPOS} repositories, concurrency ${concurrency}; page content and order verified`,
    unit: 'req/s',
    async prepare(ctx) {
      const expected = await seedRepos(ctx);
      const verified = new VerifiedBodies();
      const op = async () => {
        const r = await request(ctx.target, 'GET', '/v2/_catalog?n=100');
        expectStatus(r, 200, 'GET _catalog?n=100');
        if (!/rel="next"/.test(String(r.headers['link']))) throw new BenchError('_catalog?n=100: no Link rel="next"');
        verified.check(r.body!, (body) => {
          const page = catalogBody(body);
          if (page.length !== 100 || page.join('\n') !== expected) throw new BenchError('_catalog?n=100: page differs from the first one');
          for (let i = 1; i < page.length; i++) if (page[i - 1]! >= page[i]!) throw new BenchError('_catalog: not sorted');
        });
        return 0;
      };
      return { measure: () => runLoad(op, { concurrency, warmupOps: concurrency, ...bounds(ctx.quick, 5000, 50_000) }) };
    },
  };
}

async function seedTags(ctx: ScenarioContext): Promise<SmallImage> {
  return ctx.memo('tags-seed', async () => {
    const img = smallImage('tags', 1024);
    await pushImage(ctx.target, 'bench/tags', 'tag-0000', img);
    await runLoad(async (seq) => {
      await putManifest(ctx.target, 'bench/tags', `tag-${pad(seq + 1)}`, img.manifest, img.mediaType);
      return 0;
    }, { concurrency: SEED_CONCURRENCY, durationMs: 600_000, maxOps: TAGS - 1 });
    return img;
  });
}

function tagsScenario(concurrency: number): Scenario {
  return {
    name: `tags-list-c${concurrency}`,
    description: `GET tags/list of a repository with ${TAGS} tags, concurrency ${concurrency}; every tag verified`,
    unit: 'req/s',
    async prepare(ctx) {
      await seedTags(ctx);
      const expected = new Set(Array.from({ length: TAGS }, (_, i) => `tag-${pad(i)}`));
      const verified = new VerifiedBodies();
      const op = async () => {
        const r = await request(ctx.target, 'GET', '/v2/bench/tags/tags/list');
        expectStatus(r, 200, 'GET tags/list');
        verified.check(r.body!, (raw) => {
          const body = JSON.parse(raw.toString('utf8')) as { name?: string; tags?: string[] };
          const tags = body.tags ?? [];
          if (body.name !== 'bench/tags' || tags.length !== TAGS || new Set(tags).size !== TAGS || !tags.every((x) => expected.has(x))) {
            throw new BenchError(`tags/list: expected the ${TAGS} seeded tags, got ${tags.length}`);
          }
        });
        return 0;
      };
      return { measure: () => runLoad(op, { concurrency, warmupOps: concurrency, ...bounds(ctx.quick, 5000, 50_000) }) };
    },
  };
}

export function listingScenarios(): Scenario[] {
  return [catalogScenario(1), catalogScenario(16), tagsScenario(1), tagsScenario(16)];
}
