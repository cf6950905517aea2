// The repository list of nodes sharing one bucket, in Redis: a sorted set whose members all
// score 0, so Redis orders them by bytes and ZRANGEBYLEX pages through them. Names are stored
// with '/' as NUL, which makes byte order distribution's component-wise order ("a/b" before
// "a-b"). Each node adds what it finds in the bucket when it starts (and on rescans), and every
// push adds its repository before it is acknowledged, so every node lists it at once.
import { RetriedOnce } from '../../lib/retried-once';
import type { Catalog } from './catalog';
import { findRepositories, isRepository } from './catalog-index';
import type { StorageDriver } from './driver/types';
import type { Redis } from './redis-sdk';

const encode = (name: string) => name.replaceAll('/', '\u0000');
const decode = (member: string) => member.replaceAll('\u0000', '/');
/** ZADD takes this many members per call while a scan is merged. */
const BATCH = 1000;

export class SharedCatalog implements Catalog {
  /** The first merge of the bucket's repositories; listings wait for it. */
  private readonly loading = new RetriedOnce(async () => {
    await this.merge();
  });

  /** `key`: the sorted set, one per bucket and root directory. */
  constructor(private readonly driver: StorageDriver, private readonly redis: Redis, private readonly key: string) {}

  load(): Promise<void> {
    return this.loading.start();
  }

  private ready(): Promise<void> {
    return this.loading.ready();
  }

  /** Adds what the bucket holds; never removes (another node may have just pushed it). */
  private async merge(): Promise<Set<string>> {
    const found = await findRepositories(this.driver, '_manifests');
    for (let i = 0; i < found.length; i += BATCH) {
      await this.redis.zadd(this.key, ...found.slice(i, i + BATCH).flatMap((n) => [0, encode(n)]));
    }
    return new Set(found);
  }

  async rescan(): Promise<void> {
    await this.ready();
    const found = await this.merge();
    for (const n of await this.all()) {
      if (!found.has(n) && !(await isRepository(this.driver, n))) await this.redis.zrem(this.key, encode(n));
    }
  }

  async has(name: string): Promise<boolean> {
    await this.ready();
    return (await this.redis.zscore(this.key, encode(name))) !== null;
  }

  async add(name: string): Promise<void> {
    await this.redis.zadd(this.key, 0, encode(name));
  }

  async remove(name: string): Promise<void> {
    await this.redis.zrem(this.key, encode(name));
  }

  async page(n: number, last?: string): Promise<{ names: string[]; more: boolean }> {
    await this.ready();
    const from = last === undefined ? '-' : `(${encode(last)}`;
    const members = await this.redis.zrangebylex(this.key, from, '+', 'LIMIT', 0, n + 1);
    return { names: members.slice(0, n).map(decode), more: members.length > n };
  }

  async all(): Promise<readonly string[]> {
    await this.ready();
    return (await this.redis.zrange(this.key, 0, -1)).map(decode);
  }
}
