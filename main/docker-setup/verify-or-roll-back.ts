// The last step of a daemon.json change: ask the daemon whether it runs with the change, and when
// it does not (or does not come back), put the old file back with the same reload or restart.
import type { ApplyStep } from '../../preload/contract/docker-setup';
import type { ApplyPlan } from './change-plan';
import type { ResolvedEnv } from './env';
import { runOps } from './run-ops';
import type { DaemonVerifier } from './verify';

export type Verdict =
  | { ok: true; steps: ApplyStep[] }
  | { ok: false; steps: ApplyStep[]; message: string; manual?: string[] };

export async function verifyOrRollBack(p: ApplyPlan, verifier: DaemonVerifier, e: ResolvedEnv): Promise<Verdict> {
  const timeout = e.verifyTimeoutMs ?? (p.then === 'restart' ? 90_000 : 10_000);
  const check = await verifier.shows(p.expectation, timeout);
  if (check.ok) return { ok: true, steps: ['verified'] };
  if (p.unchanged) return { ok: false, steps: [], message: `daemon.json already had the entries, but ${check.detail}.` };
  const rb = await runOps([p.restore], p.reload.ops, p.fileRoot, p.reload.root, e);
  if (rb.error) return { ok: false, steps: rb.steps, message: `${check.detail}. Rolling back also failed: ${rb.error}`, manual: rb.manual };
  const back = await verifier.answers(timeout);
  return {
    ok: false,
    steps: rb.steps,
    message: `${check.detail}; restored ${p.path} from ${p.backupPath ?? 'nothing (it did not exist)'}${back ? ' and Docker answers again' : ', but Docker does not answer yet'}.`,
  };
}
