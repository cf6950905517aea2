// end-8a/b (tags/list) and _catalog: lexical order, n/last pagination, Link headers.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { expectError, expectStatus, pushImage, putManifest, v2Root } from '../support/oci';
import { startTestRegistry, type TestRegistry } from '../support/registry';

interface TagList { name: string; tags: string[] }

/** Follows `Link: <…>; rel="next"` from `first` and returns every page. */
async function pages<T>(url: string, first: string): Promise<{ pages: T[]; links: string[] }> {
  const out: T[] = [];
  const links: string[] = [];
  let next: string | undefined = first;
  for (let i = 0; next && i < 100; i++) {
    const res = await fetch(new URL(next, url));
    out.push(JSON.parse((await expectStatus(res, 200)).toString()) as T);
    const link = res.headers.get('link');
    if (!link) break;
    links.push(link);
    const m = /^<([^>]+)>;\s*rel="next"$/.exec(link);
    assert.ok(m, `Link header ${link}`);
    next = m[1];
  }
  return { pages: out, links };
}

describe('tags/list', () => {
  let reg: TestRegistry;
  // Byte order: digits < upper case < '_' < lower case.
  const tags = ['latest', 'v1.0', 'V2', '1', '10', '9', '_x', 'a-b', 'a.b', 'a_b', 'Z'];
  const sorted = [...tags].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  before(async () => {
    reg = await startTestRegistry();
    const img = await pushImage(reg.url, 'tags/repo', 'latest');
    for (const t of tags) await expectStatus(await putManifest(reg.url, 'tags/repo', t, img.manifest, img.mediaType), 201);
  });
  after(async () => { await reg.stop(); });

  it('lists every tag, lexically (byte order) sorted, with the repository name', async () => {
    const res = await fetch(`${reg.url}/v2/tags/repo/tags/list`);
    const body = JSON.parse((await expectStatus(res, 200)).toString()) as TagList;
    assert.equal(body.name, 'tags/repo');
    assert.deepEqual(body.tags, sorted);
    assert.equal(res.headers.get('link'), null);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  });

  it('paginates with n and Link rel="next" until the end', async () => {
    const { pages: got, links } = await pages<TagList>(reg.url, '/v2/tags/repo/tags/list?n=3');
    assert.deepEqual(got.flatMap((p) => p.tags), sorted);
    for (const p of got.slice(0, -1)) assert.equal(p.tags.length, 3);
    assert.equal(links[0], `</v2/tags/repo/tags/list?last=${encodeURIComponent(sorted[2]!)}&n=3>; rel="next"`);
  });

  it('last starts after the given tag, whether or not it exists', async () => {
    const after1 = JSON.parse((await expectStatus(await fetch(`${reg.url}/v2/tags/repo/tags/list?last=V2`), 200)).toString()) as TagList;
    assert.deepEqual(after1.tags, sorted.slice(sorted.indexOf('V2') + 1));
    const between = JSON.parse((await expectStatus(await fetch(`${reg.url}/v2/tags/repo/tags/list?last=a-a&n=2`), 200)).toString()) as TagList;
    assert.deepEqual(between.tags, sorted.filter((t) => t > 'a-a').slice(0, 2));
    const end = JSON.parse((await expectStatus(await fetch(`${reg.url}/v2/tags/repo/tags/list?last=zzz`), 200)).toString()) as TagList;
    assert.deepEqual(end.tags, []);
  });

  it('n=0 is an empty page with no Link; n at least the count is everything with no Link', async () => {
    const zero = await fetch(`${reg.url}/v2/tags/repo/tags/list?n=0`);
    assert.deepEqual((JSON.parse((await expectStatus(zero, 200)).toString()) as TagList).tags, []);
    assert.equal(zero.headers.get('link'), null);
    const all = await fetch(`${reg.url}/v2/tags/repo/tags/list?n=${tags.length}`);
    assert.deepEqual((JSON.parse((await expectStatus(all, 200)).toString()) as TagList).tags, sorted);
    assert.equal(all.headers.get('link'), null);
  });

  it('an invalid n is 400 PAGINATION_NUMBER_INVALID', async () => {
    for (const n of ['abc', '-1', '1.5']) {
      await expectError(await fetch(`${reg.url}/v2/tags/repo/tags/list?n=${n}`), 400, 'PAGINATION_NUMBER_INVALID');
    }
  });

  it('an unknown repository is 404 NAME_UNKNOWN', async () => {
    await expectError(await fetch(`${reg.url}/v2/no/such/repo/tags/list`), 404, 'NAME_UNKNOWN');
  });

  it('a new tag appears in the list at its sorted place', async () => {
    const img = await pushImage(reg.url, 'tags/repo', 'b-new');
    void img;
    const body = JSON.parse((await expectStatus(await fetch(`${reg.url}/v2/tags/repo/tags/list`), 200)).toString()) as TagList;
    assert.deepEqual(body.tags, [...sorted, 'b-new'].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });
});

describe('_catalog', () => {
  let reg: TestRegistry;
  // distribution orders component-wise: '/' sorts before every other character.
  const repos = ['b', 'a', 'a-b', 'a/b', 'a/b/c', 'a.b', 'c/d/e', 'a0'];
  const expected = ['a', 'a/b', 'a/b/c', 'a-b', 'a.b', 'a0', 'b', 'c/d/e'];
  before(async () => {
    reg = await startTestRegistry();
    for (const r of repos) await pushImage(reg.url, r, 'latest', { layerCount: 1, layerSize: 16 });
    // A repository with only a blob (no manifests) is not in the catalog.
    await fetch(`${reg.url}/v2/only/uploads/blobs/uploads/`, { method: 'POST' }).then((r) => r.arrayBuffer());
  });
  after(async () => { await reg.stop(); });

  it('lists repositories in component-wise lexical order', async () => {
    const res = await fetch(`${reg.url}/v2/_catalog`);
    const body = JSON.parse((await expectStatus(res, 200)).toString()) as { repositories: string[] };
    assert.deepEqual(body.repositories, expected);
    assert.equal(res.headers.get('link'), null);
  });

  it('paginates with n/last and Link headers', async () => {
    const { pages: got, links } = await pages<{ repositories: string[] }>(reg.url, '/v2/_catalog?n=3');
    assert.deepEqual(got.flatMap((p) => p.repositories), expected);
    assert.equal(links[0], `</v2/_catalog?last=${encodeURIComponent('a/b/c')}&n=3>; rel="next"`);
    const afterA = JSON.parse((await expectStatus(await fetch(`${reg.url}/v2/_catalog?last=a0`), 200)).toString()) as { repositories: string[] };
    assert.deepEqual(afterA.repositories, ['b', 'c/d/e']);
  });

  it('n=0 is empty; invalid n is PAGINATION_NUMBER_INVALID', async () => {
    const zero = JSON.parse((await expectStatus(await fetch(`${reg.url}/v2/_catalog?n=0`), 200)).toString()) as { repositories: string[] };
    assert.deepEqual(zero.repositories, []);
    await expectError(await fetch(`${reg.url}/v2/_catalog?n=x`), 400, 'PAGINATION_NUMBER_INVALID');
  });

  it('is served from an index, not a walk per request, and rebuilt from disk after a restart', async () => {
    // A repository written behind the server's back (another process on the same volume)...
    await mkdir(`${v2Root(reg.root)}/repositories/sneaky/_manifests`, { recursive: true });
    const before = JSON.parse((await expectStatus(await fetch(`${reg.url}/v2/_catalog`), 200)).toString()) as { repositories: string[] };
    assert.deepEqual(before.repositories, expected, 'no tree walk on a request');
    // ...is found by the walk at start.
    await reg.restart();
    const body = JSON.parse((await expectStatus(await fetch(`${reg.url}/v2/_catalog`), 200)).toString()) as { repositories: string[] };
    assert.deepEqual(body.repositories, [...expected, 'sneaky']);
  });
});
