import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RetriedOnce } from '../../../main/lib/retried-once';

test('callers share one run; a failed run is not kept, so the next caller starts it again', async () => {
  let runs = 0;
  let fail = true;
  const once = new RetriedOnce(async () => {
    runs++;
    await new Promise((r) => setTimeout(r, 10));
    if (fail) throw new Error(`run ${runs} failed`);
  });
  const first = await Promise.allSettled([once.ready(), once.ready(), once.ready()]);
  assert.equal(runs, 1, 'three callers, one run');
  assert.ok(first.every((r) => r.status === 'rejected'));
  fail = false;
  await Promise.all([once.ready(), once.ready()]);
  assert.equal(runs, 2, 'the failed run was dropped; one new run for both callers');
  await once.ready();
  assert.equal(runs, 2, 'a successful run is kept');
  await once.start();
  assert.equal(runs, 3, 'start() runs again on purpose');
});
