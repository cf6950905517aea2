// Lists the blobs under `blobs/` (distribution's `blobs/<alg>/<hex[0:2]>/<hex>/data`), for GC and
// fsck. Only sha256 is a storage algorithm; anything else found there is reported, not touched.
import { eachLimited } from '../../../lib/each-limited';
import { parseDigest, type Digest } from '../../reference';
import type { StorageDriver } from '../driver/types';
import { listIfExists } from '../links';
import { BLOBS } from '../paths';

export interface BlobEntry {
  canonical: Digest;
  /** `blobs/sha256/<hex[0:2]>`, pruned when its last blob goes. */
  prefixDir: string;
}

/**
 * Calls `onBlob` for each blob directory, `limit` prefixes at a time (so that many calls may be
 * in flight, in no set order); `onStray` for paths that do not fit the layout.
 */
export async function walkBlobs(
  driver: StorageDriver,
  limit: number,
  onBlob: (b: BlobEntry) => Promise<void>,
  onStray: (path: string) => Promise<void> = async () => {},
): Promise<void> {
  for (const alg of await listIfExists(driver, BLOBS)) {
    if (alg !== 'sha256') {
      await onStray(`${BLOBS}/${alg}`);
      continue;
    }
    await eachLimited(await listIfExists(driver, `${BLOBS}/${alg}`), limit, async (prefix) => {
      const prefixDir = `${BLOBS}/${alg}/${prefix}`;
      for (const hex of await listIfExists(driver, prefixDir)) {
        const canonical = parseDigest(`${alg}:${hex}`);
        if (!canonical || hex.slice(0, 2) !== prefix) {
          await onStray(`${prefixDir}/${hex}`);
          continue;
        }
        await onBlob({ canonical, prefixDir });
      }
    });
  }
}
