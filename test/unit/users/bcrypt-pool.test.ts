// bcrypt threads yield to request serving: on Linux each worker lowers its own thread to nice 19,
// and only its own (setpriority on the calling thread), so a burst of logins or password guesses
// takes the CPU that serving logged-in clients leaves (issue 10; bench scenario auth-guesses).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { describe, it } from 'node:test';
import { BcryptPool } from '../../../main/users/bcrypt-pool';
import { hashPassword } from '../../../main/users/htpasswd';

/** The nice value of every thread of this process, by thread id (field 19 of /proc/…/stat). */
function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(Number(tid), Number(fields[16]));
  }
  return out;
}

describe('bcrypt pool priority', { skip: process.platform !== 'linux' && 'nice values are per thread only on Linux' }, () => {
  it('compares run on threads at nice 19 while the main thread keeps its priority', async () => {
    const mainNice = getPriority();
    // At nice 19 already, lowered threads could not be told from the rest: run the suite higher.
    assert.ok(mainNice < 19, `the tests run at nice ${mainNice}; run them below 19 so the workers' priority can be seen`);
    const before = threadNices();
    const pool = new BcryptPool(2);
    try {
      const hash = await hashPassword('right', 4);
      // Two compares at once: both workers start, and each answers correctly at its priority.
      assert.deepEqual(await Promise.all([pool.compare('right', hash), pool.compare('wrong', hash)]), [true, false]);
      const added = [...threadNices()].filter(([tid]) => !before.has(tid));
      const niced = added.filter(([, nice]) => nice === 19);
      assert.equal(niced.length, 2, `new threads and their nice values: ${JSON.stringify(added)}`);
      assert.equal(getPriority(), mainNice, 'the process (main thread) priority changed');
      assert.equal(threadNices().get(process.pid), mainNice);
    } finally {
      await pool.close();
    }
  });
});
