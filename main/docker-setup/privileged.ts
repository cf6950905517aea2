// File and daemon operations that may need root: /etc/docker/daemon.json is root's, and so is
// the system dockerd. One list of operations runs three ways: directly (we may), as one
// elevated script (one system password prompt for backup + write + reload), or as the exact
// commands a user can paste when no prompt is available. Never a silent failure.
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as sudoPrompt from '@vscode/sudo-prompt';
import { writeFileAtomic } from '../lib/atomic-file';
import type { ApplyStep } from '../../preload/contract/docker-setup';
import type { Elevator, ResolvedEnv } from './env';

export type Op =
  | { op: 'backup'; path: string; backup: string; step: ApplyStep }
  | { op: 'write'; path: string; content: string; step: ApplyStep }
  | { op: 'restore'; path: string; backup: string; step: ApplyStep }
  /** Rollback of a file that did not exist before. */
  | { op: 'remove'; path: string; step: ApplyStep }
  | { op: 'signal'; pid: number; step: ApplyStep }
  | { op: 'command'; argv: string[]; step: ApplyStep };

export class OpError extends Error {
  constructor(message: string, readonly done: ApplyStep[]) {
    super(message);
  }
}

/** Runs the operations in order as this process; throws OpError with the steps done so far. */
export async function runDirect(ops: Op[], e: ResolvedEnv): Promise<ApplyStep[]> {
  const done: ApplyStep[] = [];
  for (const o of ops) {
    try {
      await runOne(o, e);
    } catch (err) {
      throw new OpError(`${describe(o)} failed: ${(err as Error).message}`, done);
    }
    if (!done.includes(o.step)) done.push(o.step);
  }
  return done;
}

async function runOne(o: Op, e: ResolvedEnv): Promise<void> {
  switch (o.op) {
    case 'backup':
      await copyFile(o.path, o.backup);
      await chmod(o.backup, (await stat(o.path)).mode & 0o777);
      return;
    case 'write':
      await writeFileAtomic(o.path, o.content, await modeOf(o.path));
      return;
    case 'restore':
      await writeFileAtomic(o.path, await readFile(o.backup), await modeOf(o.backup));
      return;
    case 'remove':
      await rm(o.path, { force: true });
      return;
    case 'signal':
      process.kill(o.pid, 'SIGHUP');
      return;
    case 'command': {
      const r = await e.run(o.argv[0]!, o.argv.slice(1), { timeoutMs: 120_000 });
      if (r.code !== 0) throw new Error((r.error ?? r.stderr.trim()) || `exit code ${r.code}`);
      return;
    }
  }
}

async function modeOf(path: string): Promise<number> {
  return existsSync(path) ? (await stat(path)).mode & 0o777 : 0o644;
}

function describe(o: Op): string {
  switch (o.op) {
    case 'backup': return `backing up ${o.path} to ${o.backup}`;
    case 'write': return `writing ${o.path}`;
    case 'restore': return `restoring ${o.path} from ${o.backup}`;
    case 'remove': return `removing ${o.path}`;
    case 'signal': return `sending SIGHUP to dockerd (pid ${o.pid})`;
    case 'command': return `\`${o.argv.join(' ')}\``;
  }
}

export const shq = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

/** The commands a user runs by hand (with sudo when the files are root's). */
export function manualCommands(ops: Op[], sudo: boolean): string[] {
  const p = sudo ? 'sudo ' : '';
  return ops.map((o) => {
    switch (o.op) {
      case 'backup': return `${p}cp -p ${shq(o.path)} ${shq(o.backup)}`;
      case 'write': return `${existsSync(dirname(o.path)) ? '' : `${p}mkdir -p ${shq(dirname(o.path))} && `}${p}tee ${shq(o.path)} >/dev/null <<'BERTH_EOF'\n${o.content.trimEnd()}\nBERTH_EOF`;
      case 'restore': return `${p}cp -p ${shq(o.backup)} ${shq(o.path)}`;
      case 'remove': return `${p}rm -f ${shq(o.path)}`;
      case 'signal': return `${p}kill -HUP ${o.pid}`;
      case 'command': return o.argv[0] === 'systemctl' && o.argv[1] === '--user' ? o.argv.map(shq).join(' ') : `${p}${o.argv.map(shq).join(' ')}`;
    }
  });
}

/** The same operations as one /bin/sh script; each step echoes a marker so partial runs are reported. */
function script(ops: Op[], staged: (content: string) => Promise<string>): Promise<string> {
  return ops.reduce(async (acc, o) => {
    const lines = [await acc];
    switch (o.op) {
      case 'backup': lines.push(`cp -p ${shq(o.path)} ${shq(o.backup)}`); break;
      case 'write': {
        // temp + rename in the target folder: Docker never sees half a file.
        const tmp = `${o.path}.berth-tmp`;
        lines.push(`mkdir -p ${shq(dirname(o.path))}`, `cat ${shq(await staged(o.content))} > ${shq(tmp)}`, `chmod 644 ${shq(tmp)}`, `mv -f ${shq(tmp)} ${shq(o.path)}`);
        break;
      }
      case 'restore': lines.push(`cp -p ${shq(o.backup)} ${shq(`${o.path}.berth-tmp`)}`, `mv -f ${shq(`${o.path}.berth-tmp`)} ${shq(o.path)}`); break;
      case 'remove': lines.push(`rm -f ${shq(o.path)}`); break;
      case 'signal': lines.push(`kill -HUP ${o.pid}`); break;
      case 'command': lines.push(o.argv.map(shq).join(' ')); break;
    }
    lines.push(`echo BERTH_STEP ${o.step}`);
    return lines.join('\n');
  }, Promise.resolve('set -e'));
}

/** Runs the operations through the elevator; throws OpError with the steps it saw complete. */
export async function runElevated(ops: Op[], elevate: Elevator): Promise<ApplyStep[]> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-elevate-'));
  try {
    let n = 0;
    const body = await script(ops, async (content) => {
      const f = join(dir, `content-${n++}.json`);
      await writeFile(f, content, { mode: 0o600 });
      return f;
    });
    const file = join(dir, 'apply.sh');
    await writeFile(file, `${body}\n`, { mode: 0o700 });
    let out = '';
    try {
      out = await elevate(file, 'Berth');
      return stepsIn(out);
    } catch (err) {
      const partial = stepsIn(String((err as { stdout?: string }).stdout ?? out));
      throw new OpError((err as Error).message, partial);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function stepsIn(out: string): ApplyStep[] {
  const steps: ApplyStep[] = [];
  for (const m of out.matchAll(/^BERTH_STEP (\S+)$/gm)) if (!steps.includes(m[1] as ApplyStep)) steps.push(m[1] as ApplyStep);
  return steps;
}

/** The system's password prompt (pkexec / osascript / UAC), when this machine has one we can show. */
export function systemElevator(e: ResolvedEnv): Elevator | undefined {
  if (e.elevate === false) return undefined;
  if (e.elevate) return e.elevate;
  if (e.platform === 'linux') {
    // pkexec needs a polkit agent, which lives in a graphical session; over SSH there is none.
    if (!e.env.DISPLAY && !e.env.WAYLAND_DISPLAY) return undefined;
    if (!existsSync('/usr/bin/pkexec') && !existsSync('/usr/bin/kdesudo')) return undefined;
  }
  return (file, name) =>
    new Promise((resolve, reject) => {
      sudoPrompt.exec(`/bin/sh ${shq(file)}`, { name }, (err, stdout) => {
        if (err) reject(Object.assign(err, { stdout: String(stdout ?? '') }));
        else resolve(String(stdout ?? ''));
      });
    });
}
