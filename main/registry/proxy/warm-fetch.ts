// Fetches one kept-warm image completely before its tag moves: the tag's manifest (an index or
// a single manifest), every chosen platform's manifest, their configs and layers, through the
// pull-through cache (the same upstream client, verification and cache records a client's pull
// uses). Bottom up: blobs, then each manifest, then the index, then the tag, so a client never
// finds the tag pointing at an image with a blob missing, and a failure half way leaves the
// tag on the previous, complete image.
import type { WarmImageConfig } from '../../config/berth-section';
import { manifestUnknown } from '../errors';
import { parseManifest, type Descriptor } from '../manifest/parse-manifest';
import { parseDigest, type Digest } from '../reference';
import type { PullThrough } from './pull-through';

export interface WarmFetchResult {
  /** The digest the tag now points at. */
  digest: string;
  /** Bytes of every manifest and blob the image consists of, each counted once. */
  bytes: number;
  /** Those digests. */
  content: string[];
}

/** Indexes inside indexes are legal but rare; this bounds a hostile upstream's nesting. */
const MAX_DEPTH = 3;

/**
 * `onContent` hears each digest as soon as it is about to be fetched, so the mirror can spare it
 * from expiry before the tag (and the state file) name it.
 */
export async function fetchWarmImage(pull: PullThrough, image: WarmImageConfig, onContent: (digest: string) => void): Promise<WarmFetchResult> {
  const { name, tag } = image;
  const top = await pull.upstreamTag(name, tag);
  const topDigest = top === undefined ? undefined : parseDigest(top);
  if (!topDigest) throw manifestUnknown(name, tag);
  const sizes = new Map<string, number>();
  await fetchManifest(pull, image, topDigest, 0, sizes, onContent, true);
  await pull.followTag(name, tag, topDigest);
  return { digest: topDigest.value, bytes: [...sizes.values()].reduce((a, b) => a + b, 0), content: [...sizes.keys()] };
}

async function fetchManifest(
  pull: PullThrough, image: WarmImageConfig, digest: Digest, depth: number,
  sizes: Map<string, number>, onContent: (digest: string) => void, top: boolean,
): Promise<void> {
  onContent(digest.value);
  const m = await pull.peekManifest(image.name, digest);
  sizes.set(digest.value, m.bytes.length);
  const parsed = parseManifest(m.bytes, m.mediaType || undefined);
  let partial = false;
  if (parsed.isIndex) {
    if (depth >= MAX_DEPTH) throw new Error(`${image.name}: indexes nested deeper than ${MAX_DEPTH} levels`);
    const children = parsed.manifests.filter((d) => wanted(d, image.platforms));
    if (top && image.platforms.length > 0 && children.length === 0) {
      throw manifestUnknown(image.name, `${image.tag} for ${image.platforms.join(', ')}`);
    }
    partial = children.length < parsed.manifests.length;
    for (const child of children) await fetchManifest(pull, image, child.digest, depth + 1, sizes, onContent, false);
  } else {
    for (const blob of [parsed.config, ...parsed.layers]) {
      // Foreign layers (Windows base images) live at their own URLs; registries do not hold them.
      if (!blob || blob.urls?.length || sizes.has(blob.digest.value)) continue;
      onContent(blob.digest.value);
      sizes.set(blob.digest.value, await pull.fill(image.name, blob.digest));
    }
  }
  // Stored only once everything it references is here (a client's push order), so even a
  // refresh that fails half way leaves no manifest naming missing content.
  if (!m.stored) await pull.keepManifest(image.name, m, partial);
}

/** Whether an index entry is one of the chosen platforms (all of them when none are chosen). */
function wanted(d: Descriptor, platforms: readonly string[]): boolean {
  if (platforms.length === 0) return true;
  const p = d.platform;
  if (!p?.os || !p.architecture) return false;
  return platforms.some((want) => {
    const [os, arch, variant] = want.split('/');
    return os === p.os && arch === p.architecture && (variant === undefined || variant === p.variant);
  });
}
