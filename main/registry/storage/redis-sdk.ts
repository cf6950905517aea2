// The Redis client several nodes on one bucket share their catalog through, in one module so
// builds can put it in a bundle of its own (dist/redis-sdk.cjs), loaded only when
// storage.cache.blobdescriptor is redis (see storage/driver/s3-sdk.ts for why only the library
// goes there).
export { Redis } from 'ioredis';
export type { RedisOptions } from 'ioredis';
