// The OCI 1.1 referrers of each manifest. distribution has no such index, and a volume may be
// written by registry:3 too, so nothing extra is kept on disk: the first referrers query of a
// repository reads its manifests once to build the index in memory, and pushes and deletes
// keep it current from then on. The manifests are read one at a time and only the referrers'
// descriptors are kept, so building costs memory in proportion to the answer, not to the
// repository's manifests.
import type { Descriptor } from '../manifest/parse-manifest';

export interface ReferrerEntry {
  /** The referrer's own descriptor, as the referrers response lists it. */
  descriptor: {
    mediaType: string;
    digest: string;
    size: number;
    artifactType?: string;
    annotations?: Record<string, string>;
  };
  subject: string;
}

type RepoIndex = Map<string, Map<string, ReferrerEntry>>; // subject → referrer digest → entry

export class ReferrersIndex {
  private readonly repos = new Map<string, Promise<RepoIndex>>();

  constructor(
    /** Yields (digest, bytes) of every manifest revision in a repository, one at a time. */
    private readonly scanRepository: (name: string) => AsyncIterable<{ digest: string; bytes: Buffer }>,
    private readonly describe: (digest: string, bytes: Buffer) => ReferrerEntry | undefined,
    /**
     * False when other nodes write the store too: a kept index would miss their pushes, so each
     * query reads the repository's manifests afresh.
     */
    private readonly keep = true,
  ) {}

  private load(name: string): Promise<RepoIndex> {
    let idx = this.repos.get(name);
    if (!idx) {
      idx = this.build(name);
      if (!this.keep) return idx;
      idx.catch(() => this.repos.delete(name));
      this.repos.set(name, idx);
    }
    return idx;
  }

  private async build(name: string): Promise<RepoIndex> {
    const out: RepoIndex = new Map();
    for await (const m of this.scanRepository(name)) {
      const e = this.describe(m.digest, m.bytes);
      if (e) add(out, e);
    }
    return out;
  }

  async list(name: string, subject: string): Promise<ReferrerEntry[]> {
    const idx = await this.load(name);
    return [...(idx.get(subject)?.values() ?? [])].sort((a, b) =>
      a.descriptor.digest < b.descriptor.digest ? -1 : 1,
    );
  }

  /** Called after a manifest with a subject is stored; a no-op until the repo is loaded. */
  async added(name: string, entry: ReferrerEntry): Promise<void> {
    const idx = this.repos.get(name);
    if (idx) add(await idx, entry);
  }

  async removed(name: string, digest: string): Promise<void> {
    const idx = this.repos.get(name);
    if (!idx) return;
    for (const m of (await idx).values()) m.delete(digest);
  }

  forgetRepository(name: string): void {
    this.repos.delete(name);
  }
}

function add(idx: RepoIndex, e: ReferrerEntry): void {
  let m = idx.get(e.subject);
  if (!m) idx.set(e.subject, (m = new Map()));
  m.set(e.descriptor.digest, e);
}

/** The descriptor a referrers response gives for a manifest, or undefined if it has no subject. */
export function referrerEntry(
  digest: string,
  size: number,
  parsed: { mediaType: string; subject?: Descriptor; artifactType?: string; config?: Descriptor; annotations?: Record<string, string> },
): ReferrerEntry | undefined {
  if (!parsed.subject) return undefined;
  // Spec: artifactType is the manifest's artifactType, else its config's media type.
  const artifactType = parsed.artifactType ?? parsed.config?.mediaType;
  const descriptor: ReferrerEntry['descriptor'] = { mediaType: parsed.mediaType, digest, size };
  if (artifactType) descriptor.artifactType = artifactType;
  if (parsed.annotations) descriptor.annotations = parsed.annotations;
  return { descriptor, subject: parsed.subject.digest.value };
}
