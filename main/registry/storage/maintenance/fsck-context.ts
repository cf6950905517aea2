// What fsck's checks share: the stores (repairs go through them so their caches stay true), the
// blobs already verified, the problem list, and `fix`, which repairs under a guard claim (see
// storage/gc-guard.ts) so a repair never undoes a push that happens while the registry serves.
import type { Digest } from '../../reference';
import type { BlobStore } from '../blob-store';
import type { StorageDriver } from '../driver/types';
import { mtimeOf } from './gc-mark';
import type { ManifestStore } from '../manifest-store';
import { paths } from '../paths';
import type { TagStore } from '../tag-store';

/** 'error': content is missing or wrong. 'leftover': debris of an interrupted operation, harmless. */
export type FsckSeverity = 'error' | 'leftover';

export interface FsckProblem {
  severity: FsckSeverity;
  kind: string;
  /** The driver path (under /docker/registry/v2) the problem was found at. */
  path: string;
  detail: string;
  repaired: boolean;
}

export interface FsckCounts {
  repositories: number;
  blobs: number;
  bytesVerified: number;
  links: number;
  manifests: number;
  tags: number;
  uploads: number;
}

const PROBLEM_LIMIT = 10_000;

export class FsckContext {
  readonly counts: FsckCounts = { repositories: 0, blobs: 0, bytesVerified: 0, links: 0, manifests: 0, tags: 0, uploads: 0 };
  readonly problems: FsckProblem[] = [];
  readonly tally = { errors: 0, leftovers: 0, repaired: 0 };
  /** Blobs whose bytes hash to their digest. */
  readonly valid = new Set<string>();
  readonly corrupt = new Set<string>();

  constructor(
    readonly driver: StorageDriver,
    readonly blobs: BlobStore,
    readonly manifests: ManifestStore,
    readonly tags: TagStore,
    readonly repair: boolean,
    /**
     * File calls in flight for repository checks and the temp-file walk: one when repairing,
     * since repairs claim digests and two checks may need the same one (two tags on one
     * missing manifest, two repositories' links to one missing blob).
     */
    readonly limit: number,
    /** Debris younger than this may belong to an operation still running. */
    private readonly minAgeMs: number,
    private readonly now = Date.now(),
  ) {}

  problem(severity: FsckSeverity, kind: string, path: string, detail: string): FsckProblem {
    const p: FsckProblem = { severity, kind, path, detail, repaired: false };
    if (severity === 'error') this.tally.errors++; else this.tally.leftovers++;
    if (this.problems.length < PROBLEM_LIMIT) this.problems.push(p);
    return p;
  }

  /**
   * With repair on: claims `keys`, checks the problem still holds, then runs `action`. A key in
   * use by a request (or already claimed) leaves the problem for a later run.
   */
  async fix(p: FsckProblem, keys: string[], stillHolds: () => Promise<boolean>, action: () => Promise<unknown>): Promise<void> {
    if (!this.repair) return;
    const release = this.blobs.guard.claim(...keys);
    if (!release) {
      p.detail += ' (in use, not repaired)';
      return;
    }
    try {
      if (!(await stillHolds())) return;
      await action();
      p.repaired = true;
      this.tally.repaired++;
    } finally {
      release();
    }
  }

  /** Present and not known to be corrupt (blobs written after the blob pass are not re-hashed). */
  async blobPresent(canonical: Digest): Promise<boolean> {
    if (this.valid.has(canonical.value)) return true;
    if (this.corrupt.has(canonical.value) || canonical.algorithm !== 'sha256') return false;
    return (await mtimeOf(this.driver, paths.blobData(canonical))) !== undefined;
  }

  async isOld(path: string): Promise<boolean> {
    const t = await mtimeOf(this.driver, path);
    return t !== undefined && this.now - t >= this.minAgeMs;
  }
}
