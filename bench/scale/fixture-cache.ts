// Generated stores are kept between runs under the temp dir, keyed by everything that shapes
// them (size, tags, layers, seed and the generator's version), so a rerun of the --scale bench
// skips generation. A store counts only once its marker file is written, after the last file.
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { blobCount, generateStore, type ScaleSpec } from './fixture';

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
    const m = JSON.parse(await readFile(marker, 'utf8')) as { generateMs: number };
    return { spec, root, blobs: blobCount(spec), generateMs: m.generateMs, reused: true };
  }
  // A directory without its marker is an interrupted generation: start over.
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
