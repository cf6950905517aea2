// Manifest GET/HEAD by tag and by digest, and blob HEAD: the small-request hot path of pulls.
import { smallImage, pushImage, type SmallImage } from '../images';
import { runWorkerOp } from './run-op';
import { bounds, type Scenario, type ScenarioContext } from './types';

const REPO = 'bench/manifests';
const TAG = 'v1';

function image(ctx: ScenarioContext): Promise<SmallImage> {
  return ctx.memo('manifest-image', async () => {
    const img = smallImage('manifests');
    await pushImage(ctx.target, REPO, TAG, img);
    return img;
  });
}

function fetchScenario(method: 'GET' | 'HEAD', by: 'tag' | 'digest', concurrency: number): Scenario {
  return {
    name: `manifest-${method.toLowerCase()}-${by}-c${concurrency}`,
    description: `${method} manifest by ${by}, concurrency ${concurrency}; status and Docker-Content-Digest verified${method === 'GET' ? ', body hashed' : ''}`,
    unit: 'req/s',
    async prepare(ctx) {
      const img = await image(ctx);
      const params = { method, repo: REPO, ref: by === 'tag' ? TAG : img.manifestDigest, digest: img.manifestDigest };
      const load = { concurrency, warmupOps: concurrency * 4, ...bounds(ctx.quick, 5000, 200_000) };
      return { measure: () => runWorkerOp(ctx, 'manifest-fetch', params, load, concurrency >= 16) };
    },
  };
}

function blobHeadScenario(concurrency: number): Scenario {
  return {
    name: `blob-head-c${concurrency}`,
    description: `HEAD of a small blob, concurrency ${concurrency}; Docker-Content-Digest and Content-Length verified`,
    unit: 'req/s',
    async prepare(ctx) {
      const img = await image(ctx);
      const params = { repo: REPO, digest: img.layerDigest, size: img.layer.length };
      const load = { concurrency, warmupOps: concurrency * 4, ...bounds(ctx.quick, 5000, 200_000) };
      return { measure: () => runWorkerOp(ctx, 'blob-head', params, load, concurrency >= 16) };
    },
  };
}

export function manifestScenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const method of ['GET', 'HEAD'] as const) {
    for (const by of ['tag', 'digest'] as const) {
      for (const c of [1, 16, 64]) out.push(fetchScenario(method, by, c));
    }
  }
  out.push(blobHeadScenario(16));
  return out;
}
