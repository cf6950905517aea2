// An htpasswd file on disk that follows external edits: it is re-read when its modification
// time or size changes (checked at most once a second), so `htpasswd -B` or another Berth
// process can change users while the registry runs, as distribution allows.
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../lib/atomic-file';
import { KeyedLock } from '../lib/keyed-lock';
import { parseHtpasswd, serializeHtpasswd, type HtpasswdEntry } from './htpasswd';

const RECHECK_MS = 1000;

export class HtpasswdFile {
  private entries = new Map<string, string>();
  private stamp = '';
  private checkedAt = 0;
  private readonly lock = new KeyedLock();
  warnings: string[] = [];

  constructor(readonly path: string) {}

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

  async reloadIfChanged(): Promise<void> {
    let s;
    try {
      s = await stat(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.entries = new Map();
      this.stamp = 'missing';
      return;
    }
    const stamp = `${s.mtimeMs}:${s.size}:${s.ino}`;
    if (stamp === this.stamp) return;
    const parsed = parseHtpasswd(await readFile(this.path, 'utf8'));
    this.entries = new Map(parsed.entries.map((e) => [e.user, e.hash]));
    this.warnings = parsed.warnings;
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
      this.checkedAt = 0;
      await this.reloadIfChanged();
    });
  }
}
