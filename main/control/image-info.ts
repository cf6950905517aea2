// What the catalog browser shows about an image, read from the store without any HTTP: the
// manifest, the image config (created, env, entrypoint, history…) and sizes. Manifests and
// configs are immutable, so summaries are cached by digest and a tag list of N tags costs N
// cheap lookups after the first visit (the N+1 fetches other registry UIs are slow with).
import type { ImageDetail, LayerView, PlatformView } from '../../preload/contract';
import { Lru } from '../lib/lru';
import { isExternalLayer } from '../registry/manifest/external-layers';
import { parseDigest, type Reference } from '../registry/reference';
import type { RegistryStore } from '../registry/storage/registry-store';

interface Descriptor { mediaType?: string; digest?: string; size?: number; urls?: string[]; platform?: { os?: string; architecture?: string; variant?: string } }
interface ManifestJson { mediaType?: string; config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[]; artifactType?: string }
interface ConfigJson {
  created?: string; os?: string; architecture?: string;
  config?: { Env?: string[]; Entrypoint?: string[] | null; Cmd?: string[] | null; Labels?: Record<string, string> | null };
  history?: Array<{ created?: string; created_by?: string; empty_layer?: boolean; comment?: string }>;
}

export interface ImageSummary { size: number; created?: string }

type Detail = Omit<ImageDetail, 'repository' | 'reference' | 'tags' | 'referrers' | 'pullCommands' | 'cached'>;

export class ImageReader {
  private readonly summaries = new Lru<string, ImageSummary>(20_000);

  constructor(private readonly store: () => RegistryStore) {}

  /** Size and creation time of the manifest `digest` in `name` (an index: of all its platforms). */
  async summary(name: string, digest: string): Promise<ImageSummary> {
    const hit = this.summaries.get(digest);
    if (hit) return hit;
    const m = await this.manifest(name, { kind: 'digest', digest: parseDigest(digest)! });
    let out: ImageSummary;
    if (m.json.manifests) {
      let size = 0;
      let created: string | undefined;
      for (const child of m.json.manifests) {
        const s = child.digest ? await this.summary(name, child.digest).catch(() => undefined) : undefined;
        size += s?.size ?? 0;
        if (s?.created && (!created || s.created > created)) created = s.created;
      }
      out = created ? { size, created } : { size };
    } else {
      const config = await this.config(m.json.config);
      const size = (m.json.config?.size ?? 0) + sum(m.json.layers);
      out = config?.created ? { size, created: config.created } : { size };
    }
    this.summaries.set(digest, out);
    return out;
  }

  async detail(name: string, ref: Reference): Promise<Detail> {
    const m = await this.manifest(name, ref);
    const base = { digest: m.digest, mediaType: m.mediaType, ...(m.json.artifactType ? { artifactType: m.json.artifactType } : {}) };
    if (m.json.manifests) {
      const platforms: PlatformView[] = [];
      for (const c of m.json.manifests) {
        if (!c.digest) continue;
        const s = await this.summary(name, c.digest).catch(() => undefined);
        platforms.push({
          os: c.platform?.os ?? 'unknown', architecture: c.platform?.architecture ?? 'unknown',
          ...(c.platform?.variant ? { variant: c.platform.variant } : {}),
          digest: c.digest, size: s?.size ?? c.size ?? 0,
        });
      }
      const s = await this.summary(name, m.digest);
      return { ...base, platforms, totalSize: s.size, ...(s.created ? { created: s.created } : {}) };
    }
    const layers: LayerView[] = (m.json.layers ?? []).map(layerView);
    const c = await this.config(m.json.config);
    const cc = c?.config ?? {};
    return {
      ...base,
      layers,
      ...(m.json.config?.digest ? { configDigest: m.json.config.digest } : {}),
      totalSize: (m.json.config?.size ?? 0) + sum(m.json.layers),
      ...(c?.created ? { created: c.created } : {}),
      ...(c?.os ? { os: c.os } : {}),
      ...(c?.architecture ? { architecture: c.architecture } : {}),
      ...(cc.Env ? { env: cc.Env } : {}),
      ...(cc.Entrypoint ? { entrypoint: cc.Entrypoint } : {}),
      ...(cc.Cmd ? { cmd: cc.Cmd } : {}),
      ...(cc.Labels ? { labels: cc.Labels } : {}),
      ...(c?.history ? {
        history: c.history.map((h) => ({
          ...(h.created ? { created: h.created } : {}), ...(h.created_by ? { createdBy: h.created_by } : {}),
          ...(h.empty_layer ? { emptyLayer: true } : {}), ...(h.comment ? { comment: h.comment } : {}),
        })),
      } : {}),
    };
  }

  private async manifest(name: string, ref: Reference): Promise<{ digest: string; mediaType: string; json: ManifestJson }> {
    const m = await this.store().manifests.get(name, ref);
    let json: ManifestJson = {};
    try {
      json = JSON.parse(m.bytes.toString('utf8')) as ManifestJson;
    } catch {
      // stored by another registry and not JSON: show what the store knows
    }
    return { digest: m.digest, mediaType: m.mediaType, json };
  }

  /** The image config blob, when it is JSON and small enough to be a config. */
  private async config(d: Descriptor | undefined): Promise<ConfigJson | undefined> {
    const digest = d?.digest ? parseDigest(d.digest) : undefined;
    if (!digest || (d?.size ?? 0) > 8 * 1024 * 1024) return undefined;
    const bytes = await this.store().blobs.readSmall(digest);
    if (!bytes) return undefined;
    try {
      return JSON.parse(bytes.toString('utf8')) as ConfigJson;
    } catch {
      return undefined; // an artifact's config need not be JSON
    }
  }
}

function layerView(l: Descriptor): LayerView {
  const view: LayerView = { digest: l.digest ?? '', mediaType: l.mediaType ?? '', size: l.size ?? 0 };
  // The manifest was validated on push, but one stored by another registry need not have been.
  const urls = Array.isArray(l.urls) ? l.urls.filter((u): u is string => typeof u === 'string') : [];
  if (isExternalLayer({ mediaType: l.mediaType, urls })) view.urls = urls;
  return view;
}

function sum(ds: Descriptor[] | undefined): number {
  return (ds ?? []).reduce((n, d) => n + (d.size ?? 0), 0);
}
