// Generated stores are kept between runs under the temp dir, keyed by everything that shapes
// them (size, tags, layers, seed and the generator's version), so a rerun of the --scale bench
// skips generation. A store counts only once its marker file is written, after the last file,
// and while a sample of its repositories is still there (a store half removed by hand once
// failed a run after 8 minutes, its first catalog page starting at ns-0003).
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { blobCount, generateStore, repositoryName, TAGS_REPOSITORY, type ScaleSpec } from './fixture';

/** Bump when fixture.ts changes what it writes: older cached stores are then not reused. */
export const GENERATOR_VERSION = 1;

export interface CachedFixture {
  spec: ScaleSpec;
  /** The storage rootdirectory to serve. */
  root: string;
  blobs: number;
  /** Generation time in ms, from the run that generated it. */
  generateMs: number;
  reused: boolean;
}

export function defaultCacheDir(): string {
  return path.join(os.tmpdir(), 'berth-scale-fixtures');
}

export function fixtureDir(cacheDir: string, spec: ScaleSpec): string {
  const seed = spec.seed.replace(/[^A-Za-z0-9_-]/g, '_');
  return path.join(cacheDir, `r${spec.repositories}-t${spec.tags}-l${spec.layersPerImage}-s${seed}-g${GENERATOR_VERSION}`);
}

export async function ensureFixture(cacheDir: string, spec: ScaleSpec, log: (msg: string) => void = () => {}): Promise<CachedFixture> {
  const dir = fixtureDir(cacheDir, spec);
  const root = path.join(dir, 'root');
  const marker = path.join(dir, 'fixture.json');
  if (existsSync(marker)) {
    const missing = sampleRepositories(spec).find((name) => !existsSync(path.join(root, 'docker/registry/v2/repositories', name, '_manifests')));
    if (missing === undefined) {
      const m = JSON.parse(await readFile(marker, 'utf8')) as { generateMs: number };
      return { spec, root, blobs: blobCount(spec), generateMs: m.generateMs, reused: true };
    }
    log(`the cached store at ${root} lacks ${missing}: generating it again`);
  }
  // A directory without its marker is an interrupted generation (or a damaged one): start over.
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  log(`generating ${spec.repositories} repositories, ${blobCount(spec)} blobs into ${root}`);
  const t0 = performance.now();
  await generateStore(root, spec, (done, total) => {
    if (done % 10_000 === 0) log(`  ${done}/${total} repositories (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  });
  const generateMs = performance.now() - t0;
  await writeFile(marker, JSON.stringify({ spec, blobs: blobCount(spec), generateMs, generator: GENERATOR_VERSION }, null, 2) + '\n');
  log(`generated in ${(generateMs / 1000).toFixed(1)} s`);
  return { spec, root, blobs: blobCount(spec), generateMs, reused: false };
}

/** Sixteen repositories spread over the store, its first and last among them, and the tags one. */
export function sampleRepositories(spec: ScaleSpec): string[] {
  const n = spec.repositories;
  const picks = new Set(Array.from({ length: 16 }, (_, k) => Math.round((k * (n - 1)) / 15)));
  return [...[...picks].map(repositoryName), ...(spec.tags > 0 ? [TAGS_REPOSITORY] : [])];
}
