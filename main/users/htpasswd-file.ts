// An htpasswd file on disk that follows external edits: it is re-read when its modification
// time or size changes (checked at most once a second), so `htpasswd -B` or another Berth
// process can change users while the registry runs, as distribution allows. A change written
// through any HtpasswdFile of this process reaches the others on the same path at once, and
// `reload()` re-reads on demand (for a running server told that users changed).
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-file';
import { KeyedLock } from '../lib/keyed-lock';
import { parseHtpasswd, serializeHtpasswd, type HtpasswdEntry } from './htpasswd';

const RECHECK_MS = 1000;

/** Every live HtpasswdFile by resolved path, so a write can hand its result to the others. */
const open = new Map<string, Set<WeakRef<HtpasswdFile>>>();

export class HtpasswdFile {
  private entries = new Map<string, string>();
  private stamp = '';
  private checkedAt = 0;
  /** Reads are numbered so a slow read that finishes last cannot undo a newer one. */
  private started = 0;
  private applied = 0;
  private readonly lock = new KeyedLock();
  private readonly key: string;
  warnings: string[] = [];

  constructor(readonly path: string) {
    this.key = resolve(path);
    let peers = open.get(this.key);
    if (!peers) open.set(this.key, (peers = new Set()));
    for (const ref of peers) if (!ref.deref()) peers.delete(ref);
    peers.add(new WeakRef(this));
  }

  /** The current users, re-reading the file if it changed. A missing file means no users. */
  async users(): Promise<ReadonlyMap<string, string>> {
    const now = Date.now();
    if (now - this.checkedAt >= RECHECK_MS) {
      this.checkedAt = now;
      await this.reloadIfChanged();
    }
    return this.entries;
  }

  /**
   * The users as last read, without waiting: a re-check of the file starts in the background
   * when the last one is over a second old (the same freshness as `users()`). Undefined until
   * the file has been read once.
   */
  snapshot(): ReadonlyMap<string, string> | undefined {
    if (Date.now() - this.checkedAt >= RECHECK_MS) void this.users().catch(() => undefined);
    return this.stamp === '' ? undefined : this.entries;
  }

  /** The users as the file is now (one stat; a read only when it changed). */
  async current(): Promise<ReadonlyMap<string, string>> {
    this.checkedAt = Date.now();
    await this.read(false);
    return this.entries;
  }

  /** Re-reads the file now if its stamp changed (one stat when it did not). */
  reloadIfChanged(): Promise<void> {
    return this.read(false);
  }

  /** Re-reads the file now, whatever its stamp says. */
  reload(): Promise<void> {
    this.checkedAt = Date.now();
    return this.read(true);
  }

  private async read(force: boolean): Promise<void> {
    const seq = ++this.started;
    let s;
    try {
      s = await stat(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.apply(seq, new Map(), [], 'missing');
      return;
    }
    const stamp = `${s.mtimeMs}:${s.size}:${s.ino}`;
    if (stamp === this.stamp && !force) return;
    const parsed = parseHtpasswd(await readFile(this.path, 'utf8'));
    this.apply(seq, new Map(parsed.entries.map((e) => [e.user, e.hash])), parsed.warnings, stamp);
  }

  private apply(seq: number, entries: Map<string, string>, warnings: string[], stamp: string): void {
    if (seq < this.applied) return;
    this.applied = seq;
    this.entries = entries;
    this.warnings = warnings;
    this.stamp = stamp;
  }

  /** Read-modify-write under a lock, written atomically with mode 0600. */
  async update(fn: (entries: HtpasswdEntry[]) => HtpasswdEntry[]): Promise<void> {
    await this.lock.run('file', async () => {
      let text = '';
      try {
        text = await readFile(this.path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      const next = fn(parseHtpasswd(text).entries);
      await writeFileAtomic(this.path, serializeHtpasswd(next), 0o600);
      this.checkedAt = Date.now();
      await this.read(true);
      this.shareWithPeers();
    });
  }

  /** Hands what this file just wrote to every other HtpasswdFile on the path (e.g. a running registry's). */
  private shareWithPeers(): void {
    const peers = open.get(this.key)!;
    for (const ref of peers) {
      const peer = ref.deref();
      if (!peer) peers.delete(ref);
      else if (peer !== this) {
        peer.checkedAt = this.checkedAt;
        peer.apply(++peer.started, this.entries, this.warnings, this.stamp);
      }
    }
  }
}
