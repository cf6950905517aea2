// Server resource accounting from /proc: CPU (utime+stime) and RSS of a process and its
// descendants (in case a launcher forks the real server), sampled while a scenario runs.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function statFields(pid: number): string[] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces; the fields after the closing paren are fixed.
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** pid plus all its descendants (scans /proc once; called per scenario, not per sample). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const f = statFields(pid);
    if (!f) continue;
    const ppid = Number(f[1]); // field 4 overall
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0 && out.length < 1000) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** CPU-seconds (user + system) used so far by these processes. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const f = statFields(pid);
    if (f) ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
  }
  return ticks / CLK_TCK;
}

function statusKiB(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Bytes of resident memory now (sum over the tree). */
export function rssBytes(pids: readonly number[]): number {
  return pids.reduce((a, p) => a + statusKiB(p, 'VmRSS') * 1024, 0);
}

/** Kernel-tracked peak RSS since start (sum of each process's VmHWM; an upper bound for trees). */
export function hwmBytes(pids: readonly number[]): number {
  return pids.reduce((a, p) => a + statusKiB(p, 'VmHWM') * 1024, 0);
}

/** Samples RSS every `intervalMs` until stopped; reports the peak seen. */
export class RssSampler {
  private peak = 0;
  private timer: NodeJS.Timeout;
  constructor(private readonly pids: readonly number[], intervalMs = 50) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }
  private sample(): void {
    this.peak = Math.max(this.peak, rssBytes(this.pids));
  }
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

/**
 * CPU-seconds used so far by kernel threads (children of kthreadd, pid 2): writeback, journal,
 * softirq daemons. Part of what a push costs, but not "other load" on the machine.
 */
export function kernelThreadCpuSeconds(): number {
  let ticks = 0;
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const f = statFields(pid);
    if (f && (pid === 2 || f[1] === '2')) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / CLK_TCK;
}

/**
 * CPU-seconds the whole machine spent in user+system so far (irq/softirq excluded, as they are
 * from per-process times). Minus the server's and the load generator's CPU, this shows load
 * from other processes on the machine, which makes a run untrustworthy.
 */
export function machineCpuSeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  return ((f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0)) / CLK_TCK; // user, nice, system
}
