// Where a configuration keeps its images, in a few words for a start-up line or a log.
import type { S3StorageConfig, StorageConfig } from './types';

/** storage.s3.rootdirectory as the key prefix registry:3 uses: no leading or trailing slashes ('' for the bucket's root). */
export function s3Root(s3: S3StorageConfig): string {
  return s3.rootdirectory.replace(/^\/+|\/+$/g, '');
}

export function storageLabel(storage: StorageConfig): string {
  if (storage.driver === 'filesystem') return storage.filesystem.rootdirectory;
  if (storage.driver === 'inmemory') return 'in memory';
  const s3 = storage.s3!;
  const root = s3Root(s3);
  return `s3 bucket ${s3.bucket}${root ? `/${root}` : ''} at ${s3.regionendpoint || `the ${s3.region} region`}`;
}
