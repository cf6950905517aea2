// The Docker setup wizard's backend (issue 5, point 6): detect the local Docker, preview a
// daemon.json change as a diff, and apply it safely in three steps: plan (read, edit, validate,
// decide the operations: change-plan.ts), apply (back up → write, elevated when the file is
// root's → reload/restart: apply-plan.ts), verify or roll back (ask the daemon, restore the file
// when it did not take the change: verify-or-roll-back.ts); and the podman/containerd
// equivalents. The control service calls these; plain Node, no electron.
import type { ApplyStep, ClientSnippets, DaemonApplyResult, DaemonChange, DaemonPreview, DockerTarget, MirrorUpstream } from '../../preload/contract/docker-setup';
import { applyPlan } from './apply-plan';
import { planApply, planChange } from './change-plan';
import { detectTargets } from './detect';
import { resolveEnv, type WizardOptions } from './env';
import { manualCommands } from './privileged';
import { reloadPlan, type Then } from './reload';
import { clientSnippets as snippets } from './snippets';
import { dockerInfoVerifier } from './verify';
import { verifyOrRollBack } from './verify-or-roll-back';

export type { WizardOptions } from './env';

export async function detectDockerTargets(opts?: WizardOptions): Promise<DockerTarget[]> {
  return detectTargets(resolveEnv(opts));
}

/**
 * Throws TargetError for an unknown target, DaemonJsonError (with the line and column, never the
 * text) when the current file is not a readable JSON object.
 */
export async function previewDaemonChange(change: DaemonChange, opts?: WizardOptions): Promise<DaemonPreview> {
  const { expectation: _x, kind: _k, ...preview } = await planChange(change, resolveEnv(opts));
  return preview;
}

export async function applyDaemonChange(change: DaemonChange & { then: Then }, opts: WizardOptions = {}): Promise<DaemonApplyResult> {
  const e = resolveEnv(opts);
  const p = await planApply(change, e);
  if ('refused' in p) return { ok: false, steps: [], message: p.refused };
  const steps: ApplyStep[] = ['validated'];
  const add = (s: ApplyStep[]) => s.forEach((x) => !steps.includes(x) && steps.push(x));
  const base = { backupPath: p.backupPath };

  const applied = await applyPlan(p, e);
  add(applied.steps);
  if (applied.error) return { ...base, ok: false, steps, message: `${applied.error}${applied.manual ? '' : '.'}`, manualCommands: applied.manual };

  const warn = p.warnings.length > 0 ? ` (${p.warnings.join('; ')})` : '';
  const written = p.unchanged ? `${p.path} already has these entries` : `${p.path} updated (checked by ${p.checkedBy}${p.backupPath ? `; backup at ${p.backupPath}` : ''})`;
  if (p.reload.note) return { ...base, ok: true, steps, warnings: p.warnings, message: `${written}${warn}. ${p.reload.note}.`, manualCommands: p.reload.manual };
  if (change.then === 'later') {
    const later = await reloadPlan(p.kind, 'reload', e);
    const cmds = manualCommands(later.ops, later.root);
    return { ...base, ok: true, steps, warnings: p.warnings, message: `${written}${warn}. Docker applies it after a reload: ${cmds.join('; ')}`, manualCommands: cmds };
  }

  const verdict = await verifyOrRollBack(p, opts.verifier ?? dockerInfoVerifier(e), e);
  add(verdict.steps);
  if (verdict.ok) {
    return { ...base, ok: true, steps, warnings: p.warnings, message: `${written}${warn}; Docker ${change.then === 'restart' ? 'restarted' : 'reloaded'} and docker info shows the change.` };
  }
  return { ...base, ok: false, steps, message: verdict.message, ...(verdict.manual ? { manualCommands: verdict.manual } : {}) };
}

export function clientSnippets(hostPort: string, tls: boolean, upstreams: MirrorUpstream[] = []): ClientSnippets {
  return snippets(hostPort, tls, upstreams);
}
