// Link files hold exactly a digest string with no newline (distribution's format). A link that
// is missing, empty (a torn write by an old registry:2) or unparsable reads as absent.
import { parseDigest, type Digest } from '../reference';
import { isNotFound } from './driver/errors';
import type { StorageChange, StorageDriver, WriteOptions } from './driver/types';

export async function readLink(driver: StorageDriver, path: string): Promise<Digest | undefined> {
  try {
    const text = (await driver.getContent(path)).toString('utf8');
    return parseDigest(text.trim());
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The change that writes a link (for a commit with other changes). */
export function linkChange(path: string, digest: string): StorageChange {
  return { op: 'put', path, content: Buffer.from(digest, 'utf8') };
}

export function writeLink(driver: StorageDriver, path: string, digest: string): Promise<void> {
  return driver.commit([linkChange(path, digest)]);
}

export async function deleteIfExists(driver: StorageDriver, path: string, opts?: WriteOptions): Promise<boolean> {
  try {
    await driver.delete(path, opts);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export async function listIfExists(driver: StorageDriver, path: string): Promise<string[]> {
  try {
    return await driver.list(path);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}
