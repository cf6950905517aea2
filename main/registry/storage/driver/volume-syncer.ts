// syncfs(2) of the volume holding the storage root, for the write journal's checkpoints. Node has
// no syncfs, and spawning `sync -f` forks this whole process at every checkpoint (measured at
// one a second: ≈ 3 % of a core, and a pause of the event loop at every fork). Instead
// one small shell stays up beside Berth and runs `sync -f ROOT` each time it reads a line,
// answering "ok" or "fail"; it ends when Berth closes its input or exits.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

const SCRIPT = 'command -v sync >/dev/null || { echo none; exit 0; }; while read -r _; do if sync -f "$1"; then echo ok; else echo fail; fi; done';

interface Waiter {
  resolve: (synced: boolean) => void;
  reject: (err: Error) => void;
}

export class VolumeSyncer {
  private child: ChildProcessByStdio<Writable, Readable, null> | undefined;
  /** Requests sent to the current helper, answered in order. */
  private readonly waiting: Waiter[] = [];
  private pending = '';
  private unavailable = process.platform !== 'linux';

  constructor(private readonly root: string) {}

  /** Resolves true once the volume is synced, false where there is no syncfs (sync each file instead). */
  sync(): Promise<boolean> {
    if (this.unavailable) return Promise.resolve(false);
    const child = (this.child ??= this.start());
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.hold(child, true);
      child.stdin.write('\n');
    });
  }

  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
    this.pending = '';
    for (const w of this.waiting.splice(0)) w.reject(new Error('the volume sync helper was closed'));
  }

  private start(): ChildProcessByStdio<Writable, Readable, null> {
    const child = spawn('sh', ['-c', SCRIPT, 'berth-sync', this.root], { stdio: ['pipe', 'pipe', 'ignore'] });
    // Events of a helper that was closed (and perhaps replaced) since concern nobody.
    const current = () => this.child === child;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      if (!current()) return;
      this.pending += text;
      for (let nl = this.pending.indexOf('\n'); nl >= 0; nl = this.pending.indexOf('\n')) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        this.answer(line);
      }
    });
    // A write to a shell that has gone surfaces as 'exit' below.
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => {
      if (current()) this.stop(err);
    });
    child.on('exit', () => {
      if (current()) this.stop(new Error('the volume sync helper exited'));
    });
    this.hold(child, false);
    return child;
  }

  /** The helper keeps Berth running only while a sync waits for its answer. */
  private hold(child: ChildProcessByStdio<Writable, Readable, null>, wait: boolean): void {
    for (const h of [child, child.stdin, child.stdout] as Array<Partial<{ ref(): void; unref(): void }>>) {
      if (wait) h.ref?.();
      else h.unref?.();
    }
  }

  private answer(line: string): void {
    if (line === 'none') {
      this.unavailable = true;
      for (const w of this.waiting.splice(0)) w.resolve(false);
      return;
    }
    const w = this.waiting.shift();
    if (this.waiting.length === 0 && this.child) this.hold(this.child, false);
    if (line === 'ok') w?.resolve(true);
    else w?.reject(new Error(`sync -f ${this.root} failed`));
  }

  private stop(err: Error): void {
    this.child = undefined;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.unavailable = true; // no sh
    for (const w of this.waiting.splice(0)) {
      if (this.unavailable) w.resolve(false);
      else w.reject(err);
    }
  }
}
