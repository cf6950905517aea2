// fsck's checks of one repository: every `_layers` and revision link (readable, a digest, names
// the right blob, blob present and intact), every revision's manifest (parses, its blobs and
// children are linked here), every tag's current link (names a good revision), tag history
// links, and upload directories (storage/paths.ts documents the tree these invariants hold on).
import type { ValidationConfig } from '../../../config/types';
import { eachLimited } from '../../../lib/each-limited';
import { isExternalLayer } from '../../manifest/external-layers';
import { parseManifest } from '../../manifest/parse-manifest';
import { parseDigest, UPLOAD_ID_RE, type Digest } from '../../reference';
import { isNotFound } from '../driver/errors';
import type { FsckContext } from './fsck-context';
import { listDigestDirs, mtimeOf } from './gc-mark';
import { deleteIfExists, listIfExists, readLink } from '../links';
import { paths } from '../paths';

type LinkState = { ok: true; canonical: Digest } | { ok: false };

export async function checkRepository(ctx: FsckContext, name: string, validation: ValidationConfig): Promise<void> {
  ctx.counts.repositories++;
  // Several checks at a time (a repository may hold 10,000 manifests and tags).
  const each = <T>(items: readonly T[], fn: (item: T) => Promise<void>) => eachLimited(items, ctx.limit, fn);
  const layers = new Map<string, Digest>(); // digest → canonical, for links that check out
  await each(await listDigestDirs(ctx.driver, paths.layersDir(name)), async (d) => {
    const s = await checkLink(ctx, paths.layerLink(name, d), d, () => ctx.blobs.unlink(name, d));
    if (s.ok) layers.set(d.value, s.canonical);
  });
  const revisions = new Map<string, Digest>();
  await each(await listDigestDirs(ctx.driver, paths.revisionsDir(name)), async (d) => {
    const s = await checkLink(ctx, paths.revisionLink(name, d), d, () => ctx.manifests.removeRevision(name, d));
    if (s.ok) revisions.set(d.value, s.canonical);
  });
  await each([...revisions], ([d, canonical]) => checkManifest(ctx, name, d, canonical, layers, revisions, validation));
  const tags = (await listIfExists(ctx.driver, paths.tagsDir(name))).filter((tag) => !tag.endsWith('.tmp'));
  await each(tags, (tag) => checkTag(ctx, name, tag, revisions));
  await checkUploads(ctx, name);
}

/**
 * A link must hold a digest (no newline), name its own path's digest (or, for an alias link, a
 * sha256), and point at a present, intact blob. `remove` deletes the link when repairing.
 */
async function checkLink(ctx: FsckContext, path: string, named: Digest, remove: () => Promise<unknown>): Promise<LinkState> {
  ctx.counts.links++;
  let text: string;
  try {
    text = (await ctx.driver.getContent(path)).toString('utf8');
  } catch (err) {
    if (!isNotFound(err)) throw err;
    // A link directory without its link: what an interrupted delete or old registry:2 leaves.
    const p = ctx.problem('leftover', 'link-missing', path, 'directory without a link file');
    await ctx.fix(p, [named.value], async () => (await mtimeOf(ctx.driver, path)) === undefined && (await ctx.isOld(path.replace(/\/link$/, ''))), () => remove());
    return { ok: false };
  }
  const target = parseDigest(text);
  const expected = named.algorithm === 'sha256' ? named.value : undefined;
  if (!target || (expected ? target.value !== expected : target.algorithm !== 'sha256')) {
    const why = !target ? `content ${JSON.stringify(text.slice(0, 80))} is not a digest` : `names ${target.value}, expected ${expected ?? 'a sha256 digest'}`;
    const p = ctx.problem('error', target ? 'link-mismatch' : 'link-unreadable', path, why);
    await ctx.fix(p, [named.value], async () => true, () => remove());
    return { ok: false };
  }
  if (!(await ctx.blobPresent(target))) {
    const corrupt = ctx.corrupt.has(target.value);
    const p = ctx.problem('error', corrupt ? 'link-to-corrupt-blob' : 'link-dangling', path, `blob ${target.value} is ${corrupt ? 'corrupt' : 'missing'}`);
    await ctx.fix(p, [named.value, target.value], async () => !(await ctx.blobPresent(target)), () => remove());
    return { ok: false };
  }
  return { ok: true, canonical: target };
}

async function checkManifest(
  ctx: FsckContext, name: string, digest: string, canonical: Digest,
  layers: ReadonlyMap<string, Digest>, revisions: ReadonlyMap<string, Digest>, validation: ValidationConfig,
): Promise<void> {
  ctx.counts.manifests++;
  const where = paths.revisionLink(name, parseDigest(digest)!);
  let m;
  try {
    m = parseManifest(await ctx.driver.getContent(paths.blobData(canonical)), undefined);
  } catch (err) {
    if (isNotFound(err)) return; // deleted since the link was checked
    ctx.problem('error', 'manifest-unparsable', where, `manifest ${digest}: ${(err as Error).message}`);
    return;
  }
  const missing: string[] = [];
  for (const b of m.config ? [m.config, ...m.layers] : m.layers) {
    // An external layer's blob is fetched from its URLs: its absence here is no problem.
    if (!isExternalLayer(b) && !layers.has(b.digest.value)) missing.push(b.digest.value);
  }
  if (missing.length > 0) ctx.problem('error', 'manifest-blob-missing', where, `manifest ${digest} needs blobs not available in ${name}: ${missing.join(', ')}`);
  const { platforms, platformlist } = validation.manifests.indexes;
  const children = m.manifests.filter((c) => platforms === 'all' ||
    (platforms === 'list' && platformlist.some((p) => p.os === c.platform?.os && p.architecture === c.platform?.architecture)));
  const absent = children.filter((c) => !revisions.has(c.digest.value)).map((c) => c.digest.value);
  if (absent.length > 0) ctx.problem('error', 'manifest-child-missing', where, `index ${digest} needs manifests not in ${name}: ${absent.join(', ')}`);
}

async function checkTag(ctx: FsckContext, name: string, tag: string, revisions: ReadonlyMap<string, Digest>): Promise<void> {
  ctx.counts.tags++;
  const current = paths.tagCurrent(name, tag);
  const remove = () => ctx.tags.delete(name, tag);
  let text: string | undefined;
  try {
    text = (await ctx.driver.getContent(current)).toString('utf8');
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (text === undefined) {
    // History written, current not: a tag push that never completed (and was never acknowledged).
    const p = ctx.problem('leftover', 'tag-without-current', current, `tag ${tag} has no current link`);
    await ctx.fix(p, [`tag:${name}:${tag}`], async () => (await mtimeOf(ctx.driver, current)) === undefined && (await ctx.isOld(paths.tagDir(name, tag))), remove);
  } else {
    const d = parseDigest(text);
    if (!d) {
      const p = ctx.problem('error', 'link-unreadable', current, `content ${JSON.stringify(text.slice(0, 80))} is not a digest`);
      await ctx.fix(p, [`tag:${name}:${tag}`], async () => true, remove);
    } else if (!revisions.has(d.value)) {
      const p = ctx.problem('error', 'tag-dangling', current, `tag ${tag} points at ${d.value}, which is not a stored manifest of ${name}`);
      // Raw read, not the store's: the store would wait for the claim this check runs under.
      await ctx.fix(p, [d.value], async () => {
        const c = await readLink(ctx.driver, paths.revisionLink(name, d));
        return !c || !(await ctx.blobPresent(c));
      }, remove);
    }
  }
  for (const d of await listDigestDirs(ctx.driver, `${paths.tagDir(name, tag)}/index`)) {
    const link = paths.tagIndexLink(name, tag, d);
    ctx.counts.links++;
    const target = await ctx.driver.getContent(link).then((b) => parseDigest(b.toString('utf8')), () => undefined);
    if (target) continue;
    const p = ctx.problem('leftover', 'link-unreadable', link, 'tag history entry without a readable link');
    await ctx.fix(p, [`tag:${name}:${tag}`], () => ctx.isOld(link.replace(/\/link$/, '')), () => deleteIfExists(ctx.driver, link.replace(/\/link$/, '')));
  }
}

/** Uploads without `startedat` or `data` are unknown to the API and never purged: leftovers. */
async function checkUploads(ctx: FsckContext, name: string): Promise<void> {
  for (const id of await listIfExists(ctx.driver, paths.uploadsDir(name))) {
    const dir = paths.uploadDir(name, id);
    if (!UPLOAD_ID_RE.test(id) || id.endsWith('.tmp')) continue; // temp files are reported by the tree walk
    ctx.counts.uploads++;
    const started = await mtimeOf(ctx.driver, paths.uploadStartedAt(name, id));
    const data = await mtimeOf(ctx.driver, paths.uploadData(name, id));
    if (started !== undefined && data !== undefined) continue;
    const p = ctx.problem('leftover', 'upload-incomplete', dir, `upload ${id} has no ${started === undefined ? 'startedat' : 'data'}`);
    await ctx.fix(p, [`upload:${name}:${id}`], () => ctx.isOld(dir), () => deleteIfExists(ctx.driver, dir));
  }
}
