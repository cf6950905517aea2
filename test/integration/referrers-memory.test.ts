// The first referrers query of a repository builds its index from the manifests on disk. It
// reads them one at a time and keeps only the referrers' descriptors, so the memory it needs is
// bounded by the answer, not by the size of the repository's manifests: measured here with a
// driver that forces a garbage collection at every large read and records the live buffers.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseConfig } from '../../main/config/load';
import { silentLogger } from '../../main/lib/logger';
import { startRegistry, type RunningRegistry } from '../../main/registry/registry';
import { FilesystemDriver } from '../../main/registry/storage/driver/filesystem';
import { randomBytes } from 'node:crypto';
import { descriptorOf, MT, ociManifest, pushArtifact, pushBlob, putManifest } from '../support/oci';
import { testRegistryYaml } from '../support/registry-yaml';
import { tempDir } from '../support/cleanup';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MANIFESTS = 40;
const MANIFEST_BYTES = 1024 * 1024;
const MIB = 1024 * 1024;

/** The filesystem driver, plus: while measuring, the most memory held in buffers at any large read. */
class MeasuringDriver extends FilesystemDriver {
  measuring = false;
  baseline = 0;
  peak = 0;
  largeReads = 0;
  override async getContent(path: string): Promise<Buffer> {
    const bytes = await super.getContent(path);
    if (this.measuring && bytes.length >= MANIFEST_BYTES / 2) {
      this.largeReads++;
      gc();
      this.peak = Math.max(this.peak, process.memoryUsage().arrayBuffers - this.baseline);
    }
    return bytes;
  }
}

describe('referrers index memory', () => {
  let dir: string;
  let driver: MeasuringDriver;
  let registry: RunningRegistry;
  let url: string;
  before(async () => {
    dir = await tempDir('berth-referrers-');
    const { config } = parseConfig(testRegistryYaml(dir), { env: {}, source: 'test' });
    driver = new MeasuringDriver({ rootdirectory: config.storage.filesystem.rootdirectory });
    registry = await startRegistry({ config, log: silentLogger, driver });
    url = `http://127.0.0.1:${registry.address.port}`;
  });
  after(async () => {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it(`reads ${MANIFESTS} manifests of 1 MiB one at a time and keeps only the referrers`, async () => {
    const repo = 'big/manifests';
    const config = Buffer.from('{}');
    const layer = randomBytes(256);
    await pushBlob(url, repo, config);
    await pushBlob(url, repo, layer);
    let subject: ReturnType<typeof descriptorOf> | undefined;
    for (let i = 0; i < MANIFESTS; i++) {
      // Annotations pad each manifest to about 1 MiB; none of these is a referrer.
      const pad = `${i}-`.padEnd(MANIFEST_BYTES - 600, 'x');
      const bytes = ociManifest(descriptorOf(MT.ociConfig, config), [descriptorOf(MT.ociLayer, layer)], { annotations: { pad } });
      const res = await putManifest(url, repo, `m${i}`, bytes, MT.ociManifest);
      assert.equal(res.status, 201, await res.text());
      subject ??= descriptorOf(MT.ociManifest, bytes);
    }
    const referrers = [];
    for (const type of ['application/vnd.example.sbom', 'application/vnd.example.sig']) {
      referrers.push((await pushArtifact(url, repo, subject!, type)).digest);
    }

    gc();
    driver.baseline = process.memoryUsage().arrayBuffers;
    driver.measuring = true;
    const res = await fetch(`${url}/v2/${repo}/referrers/${subject!.digest}`);
    const index = (await res.json()) as { manifests: Array<{ digest: string }> };
    driver.measuring = false;
    assert.equal(res.status, 200);
    assert.deepEqual(index.manifests.map((m) => m.digest).sort(), referrers.sort());
    assert.equal(driver.largeReads, MANIFESTS, 'every large manifest was read once');
    process.stdout.write(`# ${MANIFESTS} MiB of manifests read; at most ${(driver.peak / MIB).toFixed(1)} MiB of buffers held at once\n`);
    assert.ok(driver.peak < 8 * MIB, `the referrers query held ${(driver.peak / MIB).toFixed(1)} MiB of buffers at once`);
  });
});
