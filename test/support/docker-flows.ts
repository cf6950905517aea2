// The push → forget → pull → run round trip the docker tests share, with the checks that make
// it a real proof: the registry serves the manifest docker pushed (same digest), every layer
// is downloaded again (nothing "Already exists" locally), the pulled image has the same
// RootFS layers as the pushed one, and a container runs from it.
import assert from 'node:assert/strict';
import { removeAllImages, type Dockerd } from './dockerd';
import { digestFromOutput } from './images';
import { fetchManifest } from './registry-http';

export async function rootfsLayers(d: Dockerd, ref: string): Promise<string[]> {
  const out = await d.docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref]);
  return JSON.parse(out.stdout) as string[];
}

export async function runInImage(d: Dockerd, ref: string, command: string[]): Promise<string> {
  const out = await d.docker(['run', '--rm', '--network', 'none', ref, ...command], { timeoutMs: 120_000 });
  return out.stdout;
}

/** Pushes `ref` (which must exist locally) and returns the manifest digest docker reported. */
export async function pushAndCheck(d: Dockerd, registryUrl: string, ref: string, timeoutMs = 300_000): Promise<string> {
  const push = await d.docker(['push', ref], { timeoutMs });
  const digest = digestFromOutput(push.stdout);
  const { repo, tag } = splitRef(ref);
  const served = await fetchManifest(registryUrl, repo, tag);
  assert.equal(served.digest, digest, 'Docker-Content-Digest of the pushed tag');
  assert.equal(served.bodyDigest, digest, 'the served manifest bytes hash to the pushed digest');
  return digest;
}

/**
 * Removes every local image, pulls `ref` back and checks that all `layerCount` layers were
 * downloaded and the image's layers equal `expectedLayers`. Returns the pull's digest.
 */
export async function pullFresh(d: Dockerd, ref: string, expectedLayers: string[], timeoutMs = 300_000): Promise<string> {
  await removeAllImages(d);
  const pull = await d.docker(['pull', ref], { timeoutMs });
  assert.doesNotMatch(pull.stdout, /Already exists/, 'the pull must not reuse local layers');
  const completed = pull.stdout.match(/Pull complete/g)?.length ?? 0;
  assert.equal(completed, expectedLayers.length, `every layer downloaded:\n${pull.stdout}`);
  assert.deepEqual(await rootfsLayers(d, ref), expectedLayers, 'pulled image has the pushed layers (diff IDs)');
  return digestFromOutput(pull.stdout);
}

/** "127.0.0.1:5000/a/b:tag" → { repo: "a/b", tag: "tag" }. */
export function splitRef(ref: string): { host: string; repo: string; tag: string } {
  const m = /^([^/]+)\/(.+):([^:/]+)$/.exec(ref);
  if (!m) throw new Error(`not HOST/REPO:TAG: ${ref}`);
  return { host: m[1]!, repo: m[2]!, tag: m[3]! };
}
