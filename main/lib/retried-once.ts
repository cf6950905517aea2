// A piece of work every caller waits for, done once and kept, unless it failed: then the next
// caller starts it again (a catalog read at start that met a storage hiccup is not kept failed).
export class RetriedOnce {
  private current: Promise<void> | undefined;

  constructor(private readonly work: () => Promise<void>) {}

  /** Starts the work afresh; callers of `ready` wait for this run from now on. */
  start(): Promise<void> {
    const p = this.work();
    this.current = p;
    p.catch(() => {
      if (this.current === p) this.current = undefined;
    });
    return p;
  }

  /** The run kept (done or in progress), or a new one. */
  ready(): Promise<void> {
    return this.current ?? this.start();
  }
}
