// A folder's whole tree (every directory and file, each file with its size and sha256), so a
// test can say that an operation left a store exactly as it was. The write journal beside a
// store's `docker/` folder is left out: its segments come and go with checkpoints, and hold
// nothing that is not in the store already.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { JOURNAL_DIR } from '../../main/registry/storage/driver/filesystem';
import { sha256 } from './oci';

export async function fileTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const items = await readdir(join(root, rel), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    const isStoreRoot = items.some((d) => d.name === 'docker' && d.isDirectory());
    for (const d of items.sort((a, b) => a.name.localeCompare(b.name))) {
      if (isStoreRoot && d.name === JOURNAL_DIR) continue;
      const path = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        out.push(`${path}/`);
        await walk(path);
      } else {
        const full = join(root, path);
        out.push(`${path} ${(await stat(full)).size} ${sha256(await readFile(full))}`);
      }
    }
  };
  await walk('');
  return out;
}
