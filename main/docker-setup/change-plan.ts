// What a daemon.json change would do, decided before anything is touched: the file's next text
// and its diff (what the preview shows), and for an apply also dockerd's verdict on the new file,
// the backup's name, the file and daemon operations, which of them need root, and the operation
// that puts the old file back.
import { existsSync } from 'node:fs';
import type { DaemonChange, DaemonPreview, DockerTarget } from '../../preload/contract/docker-setup';
import { DaemonJsonError, daemonDiff, editDaemonConfig, formatDaemonJson, parseDaemonJson } from './daemon-json';
import { readDaemonFile } from './daemon-file';
import { knownTarget, needsElevation } from './detect';
import type { ResolvedEnv } from './env';
import type { Op } from './privileged';
import { reloadPlan, type ReloadPlan, type Then } from './reload';
import { validateDaemonJson } from './validate';
import type { Expectation } from './verify';

export interface ChangePlan extends DaemonPreview {
  kind: DockerTarget['kind'];
  /** What the daemon should show once it runs with the new file. */
  expectation: Expectation;
  warnings: string[];
}

/** Throws TargetError for a path that is not a known daemon.json, before anything is read. */
export async function planChange(change: DaemonChange, e: ResolvedEnv): Promise<ChangePlan> {
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

export interface ApplyPlan extends ChangePlan {
  then: Then;
  /** What checked the new file (dockerd --validate, or Berth's own checks where there is none). */
  checkedBy: string;
  backupPath: string | undefined;
  /** Back up and write; none when the file already has the entries. */
  fileOps: Op[];
  /** Writing the file needs root. */
  fileRoot: boolean;
  reload: ReloadPlan;
  /** Restores the backup, or removes a file that did not exist before. */
  restore: Op;
}

/**
 * The plan, or why nothing will be written: a current file that is not a JSON object (with the
 * line and column, never the text), or a new one dockerd rejects. Throws TargetError for an
 * unknown target.
 */
export async function planApply(change: DaemonChange & { then: Then }, e: ResolvedEnv): Promise<ApplyPlan | { refused: string }> {
  let p: ChangePlan;
  try {
    p = await planChange(change, e);
  } catch (err) {
    if (err instanceof DaemonJsonError) return { refused: err.message };
    throw err;
  }
  const v = await validateDaemonJson(p.next, e);
  if (!v.ok) return { refused: `Not written: ${v.errors.join('; ')}` };
  const backupPath = existsSync(p.path) && !p.unchanged ? `${p.path}.berth-backup-${stamp(e.now())}` : undefined;
  return {
    ...p,
    then: change.then,
    checkedBy: v.by,
    backupPath,
    fileOps: p.unchanged ? [] : [
      ...(backupPath ? [{ op: 'backup', path: p.path, backup: backupPath, step: 'backed-up' } as const] : []),
      { op: 'write', path: p.path, content: p.next, step: 'written' },
    ],
    fileRoot: await needsElevation(p.path, e),
    reload: await reloadPlan(p.kind, change.then, e),
    restore: backupPath ? { op: 'restore', path: p.path, backup: backupPath, step: 'rolled-back' } : { op: 'remove', path: p.path, step: 'rolled-back' },
  };
}

/** 2025-01-31T12-00-00Z: sortable, and valid in file names on every platform. */
function stamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}
