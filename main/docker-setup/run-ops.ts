// Runs a plan's file and daemon operations, each directly or elevated as it needs; everything
// that needs root goes into one elevated script, so the user sees one password prompt.
import type { ApplyStep } from '../../preload/contract/docker-setup';
import type { ResolvedEnv } from './env';
import { manualCommands, OpError, runDirect, runElevated, systemElevator, type Op } from './privileged';

export interface Executed {
  steps: ApplyStep[];
  error?: string;
  /** The commands to run by hand, when elevation was needed and is unavailable or refused. */
  manual?: string[];
}

export async function runOps(fileOps: Op[], daemonOps: Op[], fileRoot: boolean, daemonRoot: boolean, e: ResolvedEnv): Promise<Executed> {
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
