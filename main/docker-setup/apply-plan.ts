// The apply step of a daemon.json change: back up, write, and reload or restart Docker as
// planned. When the reload fails after the write, the old file goes back at once rather than
// leave a change Docker would pick up at some later, unexpected restart.
import type { ApplyPlan } from './change-plan';
import type { ResolvedEnv } from './env';
import { runOps, type Executed } from './run-ops';

export async function applyPlan(p: ApplyPlan, e: ResolvedEnv): Promise<Executed> {
  const done = await runOps(p.fileOps, p.reload.ops, p.fileRoot, p.reload.root, e);
  if (!done.error || !done.steps.includes('written')) return done;
  const rb = await runOps([p.restore], [], p.fileRoot, false, e);
  return { ...done, steps: [...done.steps, ...rb.steps] };
}
