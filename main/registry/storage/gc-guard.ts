// What lets garbage collection (and fsck --repair) delete while the registry serves. distribution's
// GC is offline because a push can rely on a blob between the moment it checks it and the moment
// it writes the link or manifest that makes it reachable; a sweep in that gap loses the push.
// Three rules close the gap:
//  1. Every check-then-write operation (upload commit, mount, manifest put) runs inside `run`.
//     A maintenance session `begin`s by waiting for the operations already running, so anything
//     they write is on disk before the mark phase reads it.
//  2. While a session is active, every digest the stores look at (`touch`) is protected for the
//     rest of the session: the session never deletes it, even if the mark phase missed it.
//  3. The session deletes a digest only after `claim`ing it, synchronously, and only if it is not
//     protected. A `touch` that finds its digest claimed waits for the delete to finish and then
//     reads again, so it sees the digest missing rather than one that vanishes after the check.
// `touch` and `claim` never interleave (both are synchronous), so each digest is either protected
// before the claim (not deleted) or claimed before the touch (the toucher waits and sees it gone).
export class GcGuard {
  private protectedSet: Set<string> | undefined;
  private readonly deleting = new Map<string, Promise<void>>();
  private readonly inflight = new Set<Promise<void>>();

  get active(): boolean {
    return this.protectedSet !== undefined;
  }

  /**
   * Records that an operation relies on `digest`. Returns a promise to await when a session is
   * deleting that digest right now (the caller must read it again afterwards), else undefined.
   */
  touch(digest: string): Promise<void> | undefined {
    this.protectedSet?.add(digest);
    return this.deleting.get(digest);
  }

  /** Runs a check-then-write operation so that a session starting meanwhile waits for it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = fn();
    const settled = p.then(() => undefined, () => undefined);
    this.inflight.add(settled);
    void settled.then(() => this.inflight.delete(settled));
    return p;
  }

  /** Starts a session: protection on, then wait for operations that began before it. */
  async begin(): Promise<void> {
    if (this.protectedSet) throw new Error('a maintenance session is already active');
    this.protectedSet = new Set();
    await Promise.all([...this.inflight]);
  }

  end(): void {
    this.protectedSet = undefined;
  }

  isProtected(digest: string): boolean {
    return this.protectedSet?.has(digest) ?? false;
  }

  /**
   * Claims digests for deletion, all or none, unless one is protected or already claimed.
   * Returns the release function (call it once the delete is done, even if it failed).
   */
  claim(...digests: string[]): (() => void) | undefined {
    if (!this.protectedSet) throw new Error('claim outside a maintenance session');
    const keys = [...new Set(digests)];
    if (keys.some((d) => this.protectedSet!.has(d) || this.deleting.has(d))) return undefined;
    let release!: () => void;
    const done = new Promise<void>((r) => { release = r; });
    for (const d of keys) this.deleting.set(d, done);
    return () => {
      for (const d of keys) this.deleting.delete(d);
      release();
    };
  }
}

/** Thrown when a GC or fsck is asked for while another one runs (the debug endpoint's 409). */
export class MaintenanceBusyError extends Error {
  constructor(readonly running: string) {
    super(`${running} is already running`);
  }
}
