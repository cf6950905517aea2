// Archives (issue 14): moving an image between a registry and a file, Berth's way against the
// Docker way. The harness runs every scenario once per server kind, so here "reference" is the
// Docker way against distribution and "berth" is Berth's CLI against Berth:
// - export: `docker pull` + `docker save` (a private dockerd) vs `berth export`;
// - import: `docker load` + `docker push` vs `berth import`, both of the same `docker save` file.
// The image is 4 layers of random data (uncompressed tars), BENCH_ARCHIVE_MIB in all (default
// 1024, 64 with --quick). Each op is one whole transfer, so MB/s = image bytes / its time.
// The work is done by the CLIs and dockerd, not the servers: their CPU lands in "other CPU%".
import { randomFillSync } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../../test/support/cleanup';
import { removeAllImages, startDockerd, type Dockerd } from '../../test/support/dockerd';
import { sha256 } from '../../test/support/oci';
import { runCommand } from '../../test/support/processes';
import { tarArchive } from '../../test/support/tar';
import { makeTarget, request, type Target } from '../http';
import { runLoad, type LoadResult } from '../load';
import { ensureBlob, OCI_MANIFEST, putManifest } from '../registry-client';
import { berthCommand, startAuxServer } from '../servers';
import type { ExtraFigures, Prepared, Scenario, ScenarioContext } from './types';

const MiB = 1024 * 1024;
const LAYERS = 4;
/** One transfer per run: no time bound (a 1 GiB docker push of random data takes a while). */
const ONE_OP = { concurrency: 1, durationMs: 3_600_000, maxOps: 1 };
const EXPORT_REPO = 'bench/archives';
const IMPORT_REPO = 'bench/archives-import';
const TAG = 'v1';

function imageMiB(quick: boolean): number {
  const env = process.env.BENCH_ARCHIVE_MIB;
  const mib = env !== undefined && env !== '' ? Number(env) : quick ? 64 : 1024;
  if (!Number.isInteger(mib) || mib < LAYERS) throw new Error(`BENCH_ARCHIVE_MIB must be a whole number of MiB ≥ ${LAYERS}`);
  return mib;
}

interface Blob { body: Buffer; digest: string }
interface Image { layers: Blob[]; config: Blob; manifest: Buffer; bytes: number }

/** Layers are tars of one random file each, uncompressed, so docker can unpack what it pulls. */
function randomImage(mib: number, label: string): Image {
  const layers = Array.from({ length: LAYERS }, (_, i) => {
    const data = randomFillSync(Buffer.allocUnsafe(Math.floor((mib * MiB) / LAYERS)));
    const body = tarArchive([{ name: `bench-${label}-${i}.bin`, data }]);
    return { body, digest: sha256(body) };
  });
  // An uncompressed layer's diff_id is its digest.
  const configBody = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Labels: { bench: label } },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
  }));
  const config = { body: configBody, digest: sha256(configBody) };
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: configBody.length },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: l.digest, size: l.body.length })),
  }));
  return { layers, config, manifest, bytes: layers.reduce((n, l) => n + l.body.length, 0) };
}

async function pushImage(t: Target, repo: string, img: Image): Promise<void> {
  for (const b of [...img.layers, img.config]) await ensureBlob(t, repo, b.body, b.digest);
  await putManifest(t, repo, TAG, img.manifest, OCI_MANIFEST);
}

/** Proof a transfer arrived: the tag is listed. */
async function expectTagged(t: Target, repo: string): Promise<void> {
  const r = await request(t, 'GET', `/v2/${repo}/tags/list`, { read: 'buffer' });
  const tags = r.status === 200 ? (JSON.parse(r.body!.toString('utf8')) as { tags?: string[] }).tags : undefined;
  if (!tags?.includes(TAG)) throw new Error(`${t.name}: ${repo}:${TAG} is not there after the transfer (status ${r.status})`);
}

// One private dockerd and one scratch directory for the whole run; the bench's exit runs the
// test support cleanups, which stop dockerd and remove both.
let dockerd: Promise<Dockerd> | undefined;
let scratch: Promise<string> | undefined;
const theDockerd = () => (dockerd ??= startDockerd());
const theScratch = () => (scratch ??= tempDir('berth-bench-arc-'));

let exportImage: Image | undefined;

/**
 * The import scenarios' input, made once, untimed: a second random image pushed to a throwaway
 * docker-registry, pulled and `docker save`d. A different image from the export one, so neither
 * registry already holds its blobs; from another registry host, so dockerd has nothing to
 * cross-mount from when it pushes to the reference.
 */
let importArchive: Promise<{ file: string; bytes: number; name: string }> | undefined;
function theImportArchive(mib: number): Promise<{ file: string; bytes: number; name: string }> {
  importArchive ??= (async () => {
    const d = await theDockerd();
    const up = await startAuxServer('reference');
    const img = randomImage(mib, 'import');
    await pushImage(makeTarget('archive-source', up.url), IMPORT_REPO, img);
    const name = `${new URL(up.url).host}/${IMPORT_REPO}:${TAG}`;
    const file = path.join(await theScratch(), 'import-input.tar');
    await d.docker(['pull', '--quiet', name], { timeoutMs: 3_600_000 });
    await d.docker(['save', '-o', file, name], { timeoutMs: 3_600_000 });
    await removeAllImages(d);
    return { file, bytes: img.bytes, name };
  })();
  return importArchive;
}

const berth = (args: string[], configFile: string) => {
  const [cmd, ...rest] = berthCommand([...args, '--config', configFile]);
  return runCommand(cmd!, rest, { timeoutMs: 3_600_000 });
};

function figures(bytes: number, archive: number, r: LoadResult | undefined): ExtraFigures {
  return { values: { 'image MiB': bytes / MiB, 'archive MiB': archive / MiB, 'MiB/s': r ? bytes / MiB / (r.elapsedMs / 1000) : NaN } };
}

const exportScenario: Scenario = {
  name: 'archives-export',
  description: 'image (4 random layers, BENCH_ARCHIVE_MIB) to a file: berth export vs docker pull + docker save from the reference',
  unit: 'MB/s',
  countsBytes: true,
  async prepare(ctx: ScenarioContext): Promise<Prepared> {
    const mib = imageMiB(ctx.quick);
    // Made once, shared by both kinds (--quick and the size are fixed for a run).
    exportImage ??= randomImage(mib, 'export');
    const img = exportImage;
    await ctx.memo('archives-export-image', () => pushImage(ctx.target, EXPORT_REPO, img));
    const file = path.join(await theScratch(), `export-${ctx.server.kind}.tar`);
    const d = ctx.server.kind === 'reference' ? await theDockerd() : undefined;
    if (d) await removeAllImages(d);
    const name = `${new URL(ctx.server.url).host}/${EXPORT_REPO}:${TAG}`;
    let result: LoadResult | undefined;
    let archive = 0;
    return {
      measure: async () => (result = await runLoad(async () => {
        if (d) {
          await d.docker(['pull', '--quiet', name], { timeoutMs: 3_600_000 });
          await d.docker(['save', '-o', file, name], { timeoutMs: 3_600_000 });
        } else {
          await berth(['export', `${EXPORT_REPO}:${TAG}`, '-o', file], ctx.server.configFile);
        }
        archive = (await stat(file)).size;
        if (archive < img.bytes) throw new Error(`${ctx.server.kind}: the archive (${archive} B) is smaller than the image (${img.bytes} B)`);
        return img.bytes;
      }, ONE_OP)),
      cleanup: async () => {
        await rm(file, { force: true });
        if (d) await removeAllImages(d);
      },
      extra: () => figures(img.bytes, archive, result),
    };
  },
};

const importScenario: Scenario = {
  name: 'archives-import',
  description: 'a docker save file into the registry: berth import vs docker load + docker push (gzips each layer) to the reference',
  unit: 'MB/s',
  countsBytes: true,
  async prepare(ctx: ScenarioContext): Promise<Prepared> {
    const input = await theImportArchive(imageMiB(ctx.quick));
    const archive = (await stat(input.file)).size;
    const d = ctx.server.kind === 'reference' ? await theDockerd() : undefined;
    const name = `${new URL(ctx.server.url).host}/${IMPORT_REPO}:${TAG}`;
    let result: LoadResult | undefined;
    return {
      measure: async () => (result = await runLoad(async () => {
        if (d) {
          await d.docker(['load', '--quiet', '-i', input.file], { timeoutMs: 3_600_000 });
          await d.docker(['tag', input.name, name]);
          await d.docker(['push', '--quiet', name], { timeoutMs: 3_600_000 });
        } else {
          await berth(['import', '--quiet', input.file], ctx.server.configFile);
        }
        await expectTagged(ctx.target, IMPORT_REPO);
        return input.bytes;
      }, ONE_OP)),
      cleanup: async () => {
        if (d) await removeAllImages(d);
      },
      extra: () => figures(input.bytes, archive, result),
    };
  },
};

export function archiveScenarios(): Scenario[] {
  return [exportScenario, importScenario];
}
