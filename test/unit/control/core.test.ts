// createCore, the assembly the desktop app and `berth serve` share: a real runtime on a loopback
// port, a real config.yml behind a ConfigFileStore, the real maintenance channel. The start, a
// reload asked for over the channel (as `berth users …` does) and the control service all read the
// one store, with the face's REGISTRY_* overrides; `initial` is used as given; stop stops the
// registry and closes the channel, and the face still sees the registry stop.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ControlEvent } from '../../../preload/contract';
import { parseConfig } from '../../../main/config/load';
import { createCore, type Core } from '../../../main/control/core';
import { createLogger } from '../../../main/lib/logger';
import { askAdmin } from '../../../main/runtime/admin-client';
import { ConfigFileStore } from '../../../main/settings/settings-store';
import { runCleanups, tempDir } from '../../support/cleanup';
import { freePort } from '../../support/processes';
import { testRegistryYaml } from '../../support/registry-yaml';

after(runCleanups);

async function setUp(extra: string[] = []) {
  const dir = await tempDir('berth-core-');
  const path = join(dir, 'config.yml');
  const port = await freePort();
  const text = testRegistryYaml(dir, { port, extra }) + '\n';
  await writeFile(path, text);
  const lines: string[] = [];
  const log = createLogger({ level: 'warn', format: 'text', write: (l) => lines.push(l) });
  return { dir, path, port, text, lines, log, settings: new ConfigFileStore({ path }), dataDir: join(dir, 'data-folder') };
}

describe('createCore', () => {
  it('starts with the store\'s configuration and its env overrides, and logs its warnings', async () => {
    const s = await setUp(['redis:', '  addr: 127.0.0.1:6379']);
    const core = await createCore({
      settings: s.settings, log: s.log, dataDir: s.dataDir, filesDir: s.dir,
      env: { REGISTRY_BERTH_AUTH_CREDENTIALCACHE: '7m' },
    });
    try {
      assert.equal(core.runtime.config.http.addr, `127.0.0.1:${s.port}`);
      assert.equal(core.runtime.config.berth.auth.credentialcacheMs, 7 * 60_000);
      assert.ok(s.lines.some((l) => l.includes('level=warn') && l.includes('redis')), s.lines.join('\n'));
      await core.runtime.start();
      assert.equal(core.runtime.state.status, 'running');
    } finally {
      await core.stop();
    }
  });

  it('re-reads the same store, with the same overrides, when the maintenance channel asks for a reload', async () => {
    const s = await setUp();
    const env = { REGISTRY_BERTH_AUTH_CREDENTIALCACHE: '7m' };
    const core = await createCore({ settings: s.settings, log: s.log, dataDir: s.dataDir, filesDir: s.dir, env });
    try {
      await core.runtime.start();
      const channel = core.runtime.adminPath;
      assert.ok(channel && existsSync(channel), 'the maintenance channel is open in the data folder');
      assert.ok(channel.startsWith(s.dataDir), channel);
      // An edit by hand: a live key (bcryptworkers) and one that needs a restart (delete).
      const edited = s.text.replace('    enabled: true', '    enabled: false') + 'berth:\n  auth:\n    bcryptworkers: 3\n';
      await writeFile(s.path, edited);
      const report = await askAdmin(channel, 'reload-users', {});
      assert.equal(report?.pending.length, 1, JSON.stringify(report));
      assert.match(report.pending[0]!, /^storage\.delete\b/);
      assert.equal(core.runtime.config.berth.auth.bcryptworkers, 3);
      assert.equal(core.runtime.config.berth.auth.credentialcacheMs, 7 * 60_000, 'the overrides apply on reload too');
      assert.equal(core.runtime.config.storage.delete.enabled, true, 'a restart key waits for the restart');
      // The control API reads the same store.
      const exported = await core.service.invoke('settings.exportConfig', {});
      assert.ok(exported.ok, JSON.stringify(exported));
      assert.equal(exported.value.yaml, edited);
    } finally {
      await core.stop();
    }
  });

  it('uses the configuration the face read itself, without reading the store at start', async () => {
    const s = await setUp();
    const missing = new ConfigFileStore({ path: join(s.dir, 'not-yet.yml') });
    await assert.rejects(createCore({ settings: missing, log: s.log, dataDir: s.dataDir, filesDir: s.dir }), { code: 'ENOENT' });
    const initial = parseConfig(s.text, { source: s.path });
    const core = await createCore({ settings: missing, log: s.log, dataDir: s.dataDir, filesDir: s.dir, initial });
    try {
      assert.equal(core.runtime.config, initial.config);
    } finally {
      await core.stop();
    }
  });

  it('stop stops the registry and closes the channel; the service reports the stop, then goes quiet', async () => {
    const s = await setUp();
    const core: Core = await createCore({ settings: s.settings, log: s.log, dataDir: s.dataDir, filesDir: s.dir });
    const seen: string[] = [];
    core.service.onEvent((e: ControlEvent) => { if (e.type === 'status') seen.push(e.status.status); });
    await core.runtime.start();
    const channel = core.runtime.adminPath!;
    await core.stop();
    assert.equal(core.runtime.state.status, 'stopped');
    assert.equal(existsSync(channel), false, 'the channel is gone');
    assert.deepEqual(seen, ['starting', 'running', 'stopping', 'stopped']);
    // Disposed: a later start of the same runtime reaches no listener of the service.
    await core.runtime.start();
    await core.runtime.stop();
    assert.deepEqual(seen, ['starting', 'running', 'stopping', 'stopped']);
  });
});
