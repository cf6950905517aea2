// Manifest PUT at concurrency 1 (a CI pipeline tagging one image) and 16: distinct OCI
// manifests (an annotation carries the sequence number) to distinct tags, referencing a config
// and layer pushed beforehand.
import { randomBytes } from 'node:crypto';
import { manifestFor, pushImage, smallImage } from '../images';
import { runLoad } from '../load';
import { OCI_MANIFEST, putManifest } from '../registry-client';
import { bounds, type Scenario } from './types';

export function manifestPutScenarios(): Scenario[] {
  return [1, 16].map((concurrency) => manifestPut(concurrency));
}

function manifestPut(concurrency: number): Scenario {
  return {
    name: `manifest-put-c${concurrency}`,
    description: `PUT of distinct OCI manifests to distinct tags, concurrency ${concurrency}; 201 and Docker-Content-Digest verified`,
    unit: 'req/s',
    async prepare(ctx) {
      const repo = `bench/manifest-put-c${concurrency}`;
      const img = smallImage('manifest-put', 4096, OCI_MANIFEST);
      await pushImage(ctx.target, repo, 'base', img);
      const config = { digest: img.configDigest, size: img.config.length };
      const layer = { digest: img.layerDigest, size: img.layer.length };
      const nonce = randomBytes(6).toString('hex');
      return {
        measure: () =>
          runLoad(async (seq) => {
            const body = manifestFor(OCI_MANIFEST, config, layer, { 'org.example.bench.seq': `${nonce}-${seq}` });
            await putManifest(ctx.target, repo, `t${seq}`, body, OCI_MANIFEST);
            return 0;
          }, { concurrency, ...bounds(ctx.quick, 8000, 50_000) }),
      };
    },
  };
}
