// catalog.*: the catalog browser. Repository pages come straight from the in-memory catalog
// index (no disk reads per page, so 10,000 repositories page as fast as 10); tags and image
// details are read from the store through ImageReader.
//
// Deletes through the control API are allowed whether or not storage.delete.enabled is set:
// that key guards the public registry API against clients, while the UI is the administrator's
// own tool (desktop window, or the console behind its token) and asks for confirmation.
import type { GcReport, RepositoryRow, TagRow } from '../../preload/contract';
import type { GcReport as StoreGcReport } from '../registry/storage/maintenance/gc';
import { MaintenanceBusyError } from '../registry/storage/gc-guard';
import { manifestUnknown, nameUnknown } from '../registry/errors';
import { parseDigest, parseReference } from '../registry/reference';
import type { RegistryStore } from '../registry/storage/registry-store';
import { byteOrder } from '../registry/storage/tag-store';
import { clientAddresses, type AddressSources } from './addresses';
import { ControlFailure, notRunning } from './errors';
import { ImageReader } from './image-info';
import { eachLimited } from '../lib/each-limited';
import type { StorageStatsCache } from './storage-stats';
import type { ControlDeps, Handlers } from './types';

const DEFAULT_LIMIT = 100;

export function catalogHandlers(deps: ControlDeps, stats: StorageStatsCache, sources?: AddressSources): Handlers<'catalog'> {
  const store = (): RegistryStore => {
    const r = deps.runtime.registry;
    if (!r) throw notRunning();
    return r.store;
  };
  const images = new ImageReader(store);
  // Proxy mode knows which repositories came from an upstream.
  const cached = (name: string) => deps.runtime.registry?.proxy?.content.isCachedRepo(name) ?? false;
  const requireRepo = async (name: string) => {
    if (!(await store().catalog.has(name))) throw nameUnknown(name);
  };

  return {
    'catalog.repositories': async ({ filter, offset = 0, limit = DEFAULT_LIMIT }) => {
      const all = await store().catalog.all();
      const needle = filter?.trim().toLowerCase();
      const matching = needle ? all.filter((n) => n.includes(needle)) : all;
      const items: RepositoryRow[] = matching.slice(offset, offset + limit).map((name) => ({ name, cached: cached(name) }));
      return { items, total: matching.length };
    },
    'catalog.tags': async ({ repository, sort = 'name' }) => {
      await requireRepo(repository);
      const s = store();
      const tags = await s.tags.list(repository);
      const rows: TagRow[] = [];
      await eachLimited(tags, 16, async (tag) => {
        const digest = await s.tags.resolve(repository, tag);
        if (!digest) return; // deleted meanwhile
        const m = await s.manifests.get(repository, { kind: 'digest', digest }).catch(() => undefined);
        const sum = m ? await images.summary(repository, digest.value).catch(() => undefined) : undefined;
        rows.push({
          tag, digest: digest.value, mediaType: m?.mediaType ?? '',
          ...(sum?.created ? { created: sum.created } : {}),
          ...(sum ? { size: sum.size } : {}),
          cached: cached(repository),
        });
      });
      // Newest first by date (undated last, then by name); byte order by name, as tags/list.
      return rows.sort(sort === 'date'
        ? (a, b) => (b.created ?? '').localeCompare(a.created ?? '') || byteOrder(a.tag, b.tag)
        : (a, b) => byteOrder(a.tag, b.tag));
    },
    'catalog.image': async ({ repository, reference }) => {
      await requireRepo(repository);
      const ref = parseReference(reference);
      const detail = await images.detail(repository, ref);
      const digest = parseDigest(detail.digest)!;
      const r = deps.runtime.registry!;
      const first = clientAddresses(r.address, deps.runtime.config.http.tls !== undefined, sources)[0]!;
      const image = `${first.hostPort}/${repository}${ref.kind === 'tag' ? `:${ref.tag}` : `@${detail.digest}`}`;
      const plain = deps.runtime.config.http.tls === undefined;
      return {
        ...detail,
        repository,
        reference,
        tags: await store().tags.tagsOf(repository, digest),
        referrers: (await store().manifests.referrers.list(repository, detail.digest)).map(({ descriptor: d }) => ({
          digest: d.digest, mediaType: d.mediaType, size: d.size,
          ...(d.artifactType ? { artifactType: d.artifactType } : {}),
          ...(d.annotations ? { annotations: d.annotations } : {}),
        })),
        // Docker needs the registry in daemon.json's insecure-registries for plain HTTP (the
        // setup wizard does that); podman and nerdctl take a flag.
        pullCommands: {
          docker: `docker pull ${image}`,
          podman: `podman pull ${plain ? '--tls-verify=false ' : ''}${image}`,
          nerdctl: `nerdctl pull ${plain ? '--insecure-registry ' : ''}${image}`,
        },
        cached: cached(repository),
      };
    },
    'catalog.deleteTag': async ({ repository, tag }) => {
      await requireRepo(repository);
      if (!(await store().tags.delete(repository, tag))) throw manifestUnknown(repository, tag);
      stats.invalidate();
      return { deleted: true };
    },
    'catalog.deleteManifest': async ({ repository, digest }) => {
      await requireRepo(repository);
      await store().manifests.delete(repository, parseDigest(digest)!);
      stats.invalidate();
      return { deleted: true };
    },
    'catalog.deleteRepository': async ({ repository }) => {
      await store().deleteRepository(repository);
      stats.invalidate();
      return { deleted: true };
    },
    'catalog.gc': async ({ dryRun, deleteUntagged = false }) => {
      let r: StoreGcReport;
      try {
        r = await store().gc({ dryRun, deleteUntagged });
      } catch (err) {
        if (err instanceof MaintenanceBusyError) throw new ControlFailure('CONFLICT', `Garbage collection cannot run now: ${err.message}.`);
        throw err;
      }
      if (!dryRun) stats.invalidate();
      const report: GcReport = {
        dryRun, blobsMarked: r.blobsMarked, blobsDeleted: r.blobsDeleted,
        manifestsDeleted: r.manifestsDeleted, bytesFreed: r.bytesFreed, durationMs: r.durationMs,
      };
      return report;
    },
  };
}
