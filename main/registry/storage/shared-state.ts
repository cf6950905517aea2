// What nodes sharing one bucket share beyond it (storage.cache.blobdescriptor: redis): the
// connection to Redis and the keys there that belong to this bucket and root directory. Stores
// read `shared` to drop the caches that assume this process is the only writer.
import { s3Root } from '../../config/storage-label';
import type { RegistryConfig } from '../../config/types';
import type { Catalog } from './catalog';
import type { StorageDriver } from './driver/types';
import type { Redis } from './redis-sdk';
import { SharedCatalog } from './shared-catalog';

/** A Redis hash of text values: what the proxy cache's schedule is kept in on a shared bucket. */
export interface SharedHash {
  all(): Promise<Map<string, string>>;
  write(set: ReadonlyArray<readonly [string, string]>, remove: readonly string[]): Promise<void>;
}

export interface SharedState {
  catalog(driver: StorageDriver): Catalog;
  /** A hash of this bucket's, e.g. `proxy-entries`. */
  hash(name: string): SharedHash;
  close(): Promise<void>;
}

/** Connects when the configuration shares its bucket (undefined otherwise); fails the start with one clear message. */
export async function openSharedState(config: RegistryConfig): Promise<SharedState | undefined> {
  const { redis: rc, storage } = config;
  if (storage.cache.blobdescriptor !== 'redis' || !rc || !storage.s3) return undefined;
  const addr = rc.addrs[0]!;
  const sep = addr.lastIndexOf(':');
  const host = addr.slice(0, sep).replace(/^\[|\]$/g, '');
  const { Redis } = await import('./redis-sdk');
  const redis: Redis = new Redis({
    host, port: Number(addr.slice(sep + 1)), db: rc.db, connectTimeout: rc.dialtimeoutMs, lazyConnect: true,
    ...(rc.username ? { username: rc.username } : {}), ...(rc.password ? { password: rc.password } : {}),
    // A request waits through a short outage (Redis restarting) and then fails, rather than
    // hanging a registry request for ever.
    maxRetriesPerRequest: 3,
  });
  // Reconnection is the client's job; its errors reach requests, not the process's stderr. The
  // last one says why a connection failed (connect() itself only reports it closed).
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    const why = lastError ?? err;
    throw new Error(`redis: cannot use ${addr} (storage.cache.blobdescriptor: redis): ${why instanceof Error ? why.message : String(why)}`, { cause: why });
  }
  const prefix = `berth:${storage.s3.bucket}/${s3Root(storage.s3)}:`;
  return {
    catalog: (driver) => new SharedCatalog(driver, redis, `${prefix}catalog`),
    hash: (name) => {
      const k = `${prefix}${name}`;
      return {
        all: async () => new Map(Object.entries(await redis.hgetall(k))),
        async write(set, remove) {
          const tx = redis.multi();
          if (set.length > 0) tx.hset(k, Object.fromEntries(set));
          if (remove.length > 0) tx.hdel(k, ...remove);
          if (set.length + remove.length > 0) await tx.exec();
        },
      };
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
