// The stores of one registry over one driver, wired together, plus the maintenance that runs
// beside them (upload purging, catalog rescans). Handlers and the control API use only this.
import type { RegistryConfig } from '../../config/types';
import type { Logger } from '../../lib/logger';
import { nameUnknown } from '../errors';
import { BlobStore } from './blob-store';
import { cacheBudgetFor } from './cache-budget';
import type { Catalog } from './catalog';
import { CatalogIndex, findRepositories } from './catalog-index';
import type { StorageDriver } from './driver/types';
import { checkStorage, type FsckOptions, type FsckReport } from './maintenance/fsck';
import { collectGarbage, type GcOptions, type GcReport } from './maintenance/gc';
import { MaintenanceBusyError } from './gc-guard';
import { deleteIfExists } from './links';
import { ManifestStore } from './manifest-store';
import { paths, REPOSITORIES } from './paths';
import type { SharedState } from './shared-state';
import { TagStore } from './tag-store';
import { UploadStore } from './upload-store';

export class RegistryStore {
  readonly blobs: BlobStore;
  readonly tags: TagStore;
  readonly catalog: Catalog;
  readonly manifests: ManifestStore;
  readonly uploads: UploadStore;
  private timers: NodeJS.Timeout[] = [];
  /** The GC or fsck running now: one at a time, since both hold the blob store's guard. */
  private maintenance: string | undefined;

  /**
   * `shared`: other Berth nodes serve the same bucket (storage.cache.blobdescriptor: redis). The
   * catalog then lives in Redis, and nothing another node may change is cached here.
   */
  constructor(readonly driver: StorageDriver, private readonly config: RegistryConfig, private readonly log: Logger, readonly shared?: SharedState) {
    const budget = cacheBudgetFor(shared !== undefined);
    this.blobs = new BlobStore(driver, budget);
    this.tags = new TagStore(driver, budget);
    this.catalog = shared ? shared.catalog(driver) : new CatalogIndex(driver);
    this.manifests = new ManifestStore(driver, this.blobs, this.tags, this.catalog, config.validation, shared !== undefined, budget);
    const { maxperrepository, maxperclient } = config.berth.uploads;
    this.uploads = new UploadStore(driver, this.blobs, { perRepository: maxperrepository, perClient: maxperclient }, shared !== undefined);
  }

  /** Starts reading the catalog and background maintenance. */
  async open(): Promise<void> {
    this.catalog.load().catch((err: unknown) => this.log.warn('reading the catalog failed; it is read again when next asked for', { error: String(err) }));
    const purge = this.config.storage.maintenance.uploadpurging;
    if (purge.enabled) {
      const run = () => void this.purgeUploads(purge.ageMs, purge.dryrun);
      // distribution waits a random 0–59 minutes; a short fixed delay keeps starts fast and
      // still clears leftovers soon after a restart.
      this.timers.push(setTimeout(run, 30_000).unref(), setInterval(run, purge.intervalMs).unref());
    }
    const rescan = this.config.berth.catalogrescanMs;
    if (rescan > 0) {
      this.timers.push(setInterval(() => {
        this.catalog.rescan().catch((err) => this.log.warn('catalog rescan failed', { error: String(err) }));
      }, rescan).unref());
    }
  }

  /** Stops background maintenance and lets the driver make what it wrote durable. */
  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await this.driver.close?.();
    await this.shared?.close();
  }

  async purgeUploads(maxAgeMs: number, dryrun = false): Promise<number> {
    try {
      if (dryrun) return 0;
      const n = await this.uploads.purge(await this.allRepositoryDirs(), maxAgeMs);
      if (n > 0) this.log.info('purged stale uploads', { count: n });
      return n;
    } catch (err) {
      this.log.warn('upload purge failed', { error: String(err) });
      return 0;
    }
  }

  /**
   * Removes a whole repository: its tags, revisions, layer links and uploads. Blobs stay until
   * garbage collection, since other repositories may share them.
   */
  async deleteRepository(name: string): Promise<void> {
    if (!(await this.catalog.has(name))) throw nameUnknown(name);
    for (const sub of ['_manifests', '_layers', '_uploads']) {
      await deleteIfExists(this.driver, `${paths.repo(name)}/${sub}`);
    }
    await this.driver.pruneEmptyDirs?.(paths.repo(name), REPOSITORIES);
    await this.catalog.remove(name);
    this.tags.forgetRepository(name);
    this.manifests.forgetRepository(name);
    this.blobs.forgetRepository(name);
    this.uploads.forgetRepository(name);
  }

  /**
   * Online garbage collection (maintenance/gc.ts); safe while the registry serves. On a bucket
   * other nodes share, this node cannot hold their pushes back while it sweeps, so it runs only
   * with the store read-only (distribution's rule: every node read-only, or all stopped).
   */
  async gc(opts: GcOptions = {}): Promise<GcReport> {
    if (this.shared && !opts.dryRun && !this.config.storage.maintenance.readonly.enabled) {
      throw new Error('garbage collection on a bucket several nodes share needs every node read-only: set storage.maintenance.readonly.enabled on all of them (or stop them and run `berth gc` offline), then run it again; --dry-run works any time');
    }
    return this.exclusive('garbage collection', () =>
      collectGarbage({ driver: this.driver, blobs: this.blobs, manifests: this.manifests }, opts, this.log));
  }

  /** Consistency check of the whole store (maintenance/fsck.ts); with `repair`, safe while serving too. */
  fsck(opts: FsckOptions = {}): Promise<FsckReport> {
    return this.exclusive('fsck', () =>
      checkStorage({ driver: this.driver, blobs: this.blobs, manifests: this.manifests, tags: this.tags }, this.config.validation, opts, this.log));
  }

  private async exclusive<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (this.maintenance) throw new MaintenanceBusyError(this.maintenance);
    this.maintenance = what;
    try {
      return await run();
    } finally {
      this.maintenance = undefined;
    }
  }

  /** Repositories with uploads, including ones that have no manifest yet (not in the catalog). */
  private allRepositoryDirs(): Promise<string[]> {
    return findRepositories(this.driver, '_uploads');
  }
}
