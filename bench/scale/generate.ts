// node --import tsx bench/scale/generate.ts --repositories N --out DIR [--tags N] [--layers N] [--seed S]
// Writes a store in distribution's layout into DIR (the storage rootdirectory) for tests or a
// manual look; the --scale bench uses the same generator through its cache (fixture-cache.ts).
import { existsSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_LAYERS_PER_IMAGE, blobCount, generateStore } from './fixture';

const { values } = parseArgs({
  options: {
    repositories: { type: 'string' }, out: { type: 'string' }, tags: { type: 'string', default: '10000' },
    layers: { type: 'string', default: String(DEFAULT_LAYERS_PER_IMAGE) }, seed: { type: 'string', default: '1' },
  },
});
if (values.repositories === undefined || values.out === undefined) {
  process.stderr.write('usage: node --import tsx bench/scale/generate.ts --repositories N --out DIR [--tags N] [--layers N] [--seed S]\n');
  process.exit(2);
}
if (existsSync(values.out) && readdirSync(values.out).length > 0) {
  process.stderr.write(`generate: ${values.out} is not empty; give a new or empty directory\n`);
  process.exit(2);
}
const spec = { repositories: Number(values.repositories), tags: Number(values.tags), layersPerImage: Number(values.layers), seed: values.seed };
const t0 = performance.now();
await generateStore(values.out, spec, (done, total) => {
  if (done % 10_000 === 0) process.stderr.write(`${done}/${total} repositories\n`);
});
process.stdout.write(`${spec.repositories} repositories + ${spec.tags} tags, ${blobCount(spec)} blobs in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${values.out}\n`);
