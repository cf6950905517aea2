// A load-generator child process: builds one op, warms up, waits for 'go', measures, reports.
import { makeTarget } from './http';
import { runLoad, type WorkerJob, type WorkerReply } from './load';
import { buildOp } from './worker-ops';

type Job = WorkerJob & { seqOffset: number };

function send(m: unknown): void {
  process.send?.(m);
}

process.once('message', (job: Job) => {
  void (async () => {
    try {
      const t = makeTarget(job.targetName, job.baseUrl, job.authorization);
      const inner = buildOp(t, job.op, job.params);
      const op = (seq: number) => inner(seq + job.seqOffset);
      const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
      const res = await runLoad(op, job.load, async () => {
        send({ type: 'ready' });
        await go;
      });
      const reply: WorkerReply = { ops: res.ops, bytes: res.bytes, elapsedMs: res.elapsedMs, hist: res.hist.toJSON(), cpuMs: res.clientCpuMs };
      send({ type: 'done', reply });
    } catch (e) {
      send({ type: 'error', error: e instanceof Error ? e.message : String(e) });
    } finally {
      process.disconnect?.();
    }
  })();
});
