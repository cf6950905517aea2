// Where a configuration keeps its images, in a few words for a start-up line or a log.
import type { StorageConfig } from './types';

export function storageLabel(storage: StorageConfig): string {
  if (storage.driver === 'filesystem') return storage.filesystem.rootdirectory;
  if (storage.driver === 'inmemory') return 'in memory';
  const s3 = storage.s3!;
  const root = s3.rootdirectory.replace(/^\/+|\/+$/g, '');
  return `s3 bucket ${s3.bucket}${root ? `/${root}` : ''} at ${s3.regionendpoint || `the ${s3.region} region`}`;
}
