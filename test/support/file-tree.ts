// A folder's whole tree (every directory and file, each file with its size and sha256), so a
// test can say that an operation left a store exactly as it was.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from './oci';

export async function fileTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const items = await readdir(join(root, rel), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    for (const d of items.sort((a, b) => a.name.localeCompare(b.name))) {
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
