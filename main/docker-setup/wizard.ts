// The Docker setup wizard's backend (issue 5, point 6): detect the local Docker, preview a
// daemon.json change as a diff, apply it safely (validate → back up → write, elevated when the
// file is root's → reload/restart → verify with `docker info` → roll back on failure), and the
// podman/containerd equivalents. The control service calls these; plain Node, no electron.
import { existsSync } from 'node:fs';
import type { ApplyStep, ClientSnippets, DaemonApplyResult, DaemonChange, DaemonPreview, DockerTarget, MirrorUpstream } from '../../preload/contract/docker-setup';
import { DaemonJsonError, daemonDiff, editDaemonConfig, formatDaemonJson, parseDaemonJson } from './daemon-json';
import { readDaemonFile } from './daemon-file';
import { detectTargets, knownTarget, needsElevation } from './detect';
import { resolveEnv, type ResolvedEnv, type WizardOptions } from './env';
import { manualCommands, OpError, runDirect, runElevated, systemElevator, type Op } from './privileged';
import { reloadPlan, type Then } from './reload';
import { clientSnippets as snippets } from './snippets';
import { validateDaemonJson } from './validate';
import { waitForDaemon, waitForRegistryConfig, type Expectation } from './verify';

export type { WizardOptions } from './env';

export async function detectDockerTargets(opts?: WizardOptions): Promise<DockerTarget[]> {
  return detectTargets(resolveEnv(opts));
}

interface Planned extends DaemonPreview {
  kind: DockerTarget['kind'];
  expectation: Expectation;
  warnings: string[];
}

/** Throws TargetError for a path that is not a known daemon.json, before anything is read. */
async function plan(change: DaemonChange, e: ResolvedEnv): Promise<Planned> {
  const { path, kind } = knownTarget(change.target, e);
  const current = await readDaemonFile(path);
  const edit = editDaemonConfig(parseDaemonJson(current, path), change);
  // Unchanged: leave the user's formatting alone; changed: 2-space JSON, keys in their order.
  const next = edit.changed ? formatDaemonJson(edit.config) : current;
  return {
    path,
    kind,
    current,
    next,
    diff: daemonDiff(path, current, next),
    unchanged: !edit.changed,
    warnings: edit.warnings,
    expectation: { insecureRegistry: edit.insecureRegistry, mirror: edit.mirror, absent: !!change.remove },
  };
}

/**
 * Throws TargetError for an unknown target, DaemonJsonError (with the line and column, never the
 * text) when the current file is not a readable JSON object.
 */
export async function previewDaemonChange(change: DaemonChange, opts?: WizardOptions): Promise<DaemonPreview> {
  const { expectation: _x, kind: _k, ...preview } = await plan(change, resolveEnv(opts));
  return preview;
}

export async function applyDaemonChange(change: DaemonChange & { then: Then }, opts?: WizardOptions): Promise<DaemonApplyResult> {
  const e = resolveEnv(opts);
  let p: Planned;
  try {
    p = await plan(change, e);
  } catch (err) {
    if (err instanceof DaemonJsonError) return { ok: false, steps: [], message: err.message };
    throw err;
  }
  const steps: ApplyStep[] = [];
  const add = (s: ApplyStep[]) => s.forEach((x) => !steps.includes(x) && steps.push(x));
  const warn = p.warnings.length > 0 ? ` (${p.warnings.join('; ')})` : '';

  const v = await validateDaemonJson(p.next, e);
  if (!v.ok) return { ok: false, steps, message: `Not written: ${v.errors.join('; ')}` };
  add(['validated']);

  const kind = p.kind;
  const reload = await reloadPlan(kind, change.then, e);
  const backupPath = existsSync(p.path) && !p.unchanged ? `${p.path}.berth-backup-${stamp(e.now())}` : undefined;
  const fileOps: Op[] = p.unchanged ? [] : [
    ...(backupPath ? [{ op: 'backup', path: p.path, backup: backupPath, step: 'backed-up' } as const] : []),
    { op: 'write', path: p.path, content: p.next, step: 'written' },
  ];
  const rollbackOps: Op[] = [
    backupPath ? { op: 'restore', path: p.path, backup: backupPath, step: 'rolled-back' } : { op: 'remove', path: p.path, step: 'rolled-back' },
    ...reload.ops,
  ];

  const fileRoot = await needsElevation(p.path, e);
  const done = await execute(fileOps, reload.ops, fileRoot, reload.root, e);
  add(done.steps);
  const base = { backupPath };
  if (done.error) {
    // Written but not applied (the reload failed): put the old file back rather than leave a
    // change Docker would pick up at some later, unexpected restart.
    if (steps.includes('written')) {
      const rb = await execute(rollbackOps.slice(0, 1), [], fileRoot, false, e);
      add(rb.steps);
    }
    return { ...base, ok: false, steps, message: `${done.error}${done.manual ? '' : '.'}`, manualCommands: done.manual };
  }

  const written = p.unchanged ? `${p.path} already has these entries` : `${p.path} updated (checked by ${v.by}${backupPath ? `; backup at ${backupPath}` : ''})`;
  if (reload.note) return { ...base, ok: true, steps, warnings: p.warnings, message: `${written}${warn}. ${reload.note}.`, manualCommands: reload.manual };
  if (change.then === 'later') {
    const later = await reloadPlan(kind, 'reload', e);
    const cmds = manualCommands(later.ops, later.root);
    return { ...base, ok: true, steps, warnings: p.warnings, message: `${written}${warn}. Docker applies it after a reload: ${cmds.join('; ')}`, manualCommands: cmds };
  }

  const timeout = e.verifyTimeoutMs ?? (change.then === 'restart' ? 90_000 : 10_000);
  const check = await waitForRegistryConfig(e, p.expectation, timeout);
  if (check.ok) {
    add(['verified']);
    return { ...base, ok: true, steps, warnings: p.warnings, message: `${written}${warn}; Docker ${change.then === 'restart' ? 'restarted' : 'reloaded'} and docker info shows the change.` };
  }

  // Verification failed or Docker did not come back: the old file, the same reload or restart.
  if (p.unchanged) return { ...base, ok: false, steps, message: `daemon.json already had the entries, but ${check.detail}.` };
  const rb = await execute(rollbackOps.slice(0, 1), rollbackOps.slice(1), fileRoot, reload.root, e);
  add(rb.steps);
  if (rb.error) return { ...base, ok: false, steps, message: `${check.detail}. Rolling back also failed: ${rb.error}`, manualCommands: rb.manual };
  const back = await waitForDaemon(e, timeout);
  return {
    ...base,
    ok: false,
    steps,
    message: `${check.detail}; restored ${p.path} from ${backupPath ?? 'nothing (it did not exist)'}${back ? ' and Docker answers again' : ', but Docker does not answer yet'}.`,
  };
}

interface Executed {
  steps: ApplyStep[];
  error?: string;
  manual?: string[];
}

/**
 * Runs file operations and daemon operations, each directly or elevated as needed; everything
 * that needs root goes into one elevated script, so the user sees one password prompt.
 */
async function execute(fileOps: Op[], daemonOps: Op[], fileRoot: boolean, daemonRoot: boolean, e: ResolvedEnv): Promise<Executed> {
  const all = [...fileOps, ...daemonOps];
  if (all.length === 0) return { steps: [] };
  if (!fileRoot && !daemonRoot) return direct(all, e);
  const elevate = systemElevator(e);
  const manual = [...manualCommands(fileOps, fileRoot), ...manualCommands(daemonOps, daemonRoot)];
  if (!elevate) {
    return { steps: [], error: 'Berth cannot show a password prompt here (no graphical session or polkit agent): run these commands as an administrator', manual };
  }
  const steps: ApplyStep[] = [];
  // Files first when only the daemon needs root, and vice versa, keeping the order of steps.
  const groups: Array<[Op[], boolean]> = fileRoot === daemonRoot ? [[all, true]] : [[fileOps, fileRoot], [daemonOps, daemonRoot]];
  for (const [ops, root] of groups) {
    if (ops.length === 0) continue;
    try {
      steps.push(...(root ? await runElevated(ops, elevate) : await runDirect(ops, e)));
    } catch (err) {
      const done = err instanceof OpError ? err.done : [];
      steps.push(...done);
      return { steps, error: `${(err as Error).message}${root && done.length === 0 ? ' — nothing was changed; you can also run these commands' : ''}`, manual: root ? manual : undefined };
    }
  }
  return { steps };
}

async function direct(ops: Op[], e: ResolvedEnv): Promise<Executed> {
  try {
    return { steps: await runDirect(ops, e) };
  } catch (err) {
    return { steps: err instanceof OpError ? err.done : [], error: (err as Error).message };
  }
}

/** 2025-01-31T12-00-00Z: sortable, and valid in file names on every platform. */
function stamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

export function clientSnippets(hostPort: string, tls: boolean, upstreams: MirrorUpstream[] = []): ClientSnippets {
  return snippets(hostPort, tls, upstreams);
}
