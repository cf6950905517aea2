// Which Docker the wizard reloads: the one whose pidfile BERTH_DOCKER_PIDFILE names (a dockerd
// started with --config-file next to BERTH_DOCKER_DAEMON_JSON), read from the Berth process's
// environment by every face alike (the desktop app passes no wizard options); an explicit
// option wins, and a relative path is ignored like a relative BERTH_DOCKER_DAEMON_JSON.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveEnv } from '../../../main/docker-setup/env';
import { reloadPlan } from '../../../main/docker-setup/reload';
import { runCleanups, tempDir } from '../../support/cleanup';

after(runCleanups);

test('BERTH_DOCKER_PIDFILE is the pidfile a reload signals, unless an option names one', async () => {
  const dir = await tempDir('berth-env-');
  const pidfile = join(dir, 'docker.pid');
  await writeFile(pidfile, '4242\n');
  const fromEnv = resolveEnv({ env: { BERTH_DOCKER_PIDFILE: pidfile }, isRoot: true });
  assert.equal(fromEnv.pidfile, pidfile);
  assert.deepEqual((await reloadPlan('linux-rootful', 'reload', fromEnv)).ops, [{ op: 'signal', pid: 4242, step: 'reloaded' }]);

  assert.equal(resolveEnv({ env: { BERTH_DOCKER_PIDFILE: pidfile }, pidfile: '/run/other.pid' }).pidfile, '/run/other.pid');
  const relative = resolveEnv({ env: { BERTH_DOCKER_PIDFILE: 'docker.pid' }, isRoot: true });
  assert.equal(relative.pidfile, undefined);
  assert.deepEqual((await reloadPlan('linux-rootful', 'reload', relative)).ops, [{ op: 'command', argv: ['systemctl', 'reload', 'docker'], step: 'reloaded' }]);
});
