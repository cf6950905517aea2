// Runs a worker-capable op in this process, or split over ctx.workers child processes when the
// scenario asks for it (high-concurrency small requests, where one node process can saturate).
import { runLoad, runLoadInWorkers, type LoadOptions, type LoadResult } from '../load';
import { buildOp, type WorkerOpName } from '../worker-ops';
import type { ScenarioContext } from './types';

export function runWorkerOp(ctx: ScenarioContext, op: WorkerOpName, params: unknown, load: LoadOptions, useWorkers: boolean): Promise<LoadResult> {
  const workers = useWorkers ? Math.min(ctx.workers, load.concurrency) : 1;
  if (workers <= 1) return runLoad(buildOp(ctx.target, op, params), load);
  const job = { op, params, baseUrl: ctx.target.baseUrl, targetName: ctx.target.name, load };
  return runLoadInWorkers(ctx.target.authorization === undefined ? job : { ...job, authorization: ctx.target.authorization }, workers);
}
