// The tray follows the runtime live: icon, tooltip and menu change with every state, and the
// menu's actions reach the runtime, the clipboard and the window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTrayController } from '../../../main/app/tray';
import { trayModel } from '../../../main/app/tray-model';
import { trayIconPath } from '../../../main/app/paths';
import { FakeRuntime, FakeTray, running } from '../../support/electron-fakes';

function setup() {
  const tray = new FakeTray();
  const runtime = new FakeRuntime();
  const copied: string[] = [];
  const events: string[] = [];
  const controller = createTrayController({
    tray, runtime,
    address: () => '192.168.1.20:5000',
    iconPath: (icon) => `/res/tray-${icon}.png`,
    clipboard: { writeText: (t) => copied.push(t) },
    openWindow: () => events.push('open'),
    quit: () => events.push('quit'),
  });
  return { tray, runtime, copied, events, controller };
}

test('the tray follows state changes live', () => {
  const { tray, runtime } = setup();
  assert.equal(tray.image, '/res/tray-stopped.png');
  assert.equal(tray.tooltip, 'Berth — Stopped');
  assert.equal(tray.item('toggle').label, 'Start registry');
  assert.equal(tray.item('copy-address').enabled, false);

  runtime.set({ status: 'starting' });
  assert.equal(tray.image, '/res/tray-starting.png');
  assert.equal(tray.item('toggle').enabled, false, 'no double start while starting');

  runtime.set(running({ tls: true }));
  assert.equal(tray.image, '/res/tray-running.png');
  assert.equal(tray.tooltip, 'Berth — Running at 192.168.1.20:5000 (TLS)');
  assert.equal(tray.item('toggle').label, 'Stop registry');
  assert.equal(tray.item('copy-login').enabled, true);

  runtime.set({ status: 'failed', error: 'cannot listen on :5000: the address is already in use' });
  assert.equal(tray.image, '/res/tray-error.png');
  assert.match(tray.tooltip, /Error: cannot listen on :5000/);
  assert.equal(tray.item('toggle').label, 'Start registry');
});

test('menu actions reach the runtime, clipboard, window and quit', async () => {
  const { tray, runtime, copied, events, controller } = setup();
  tray.click('toggle');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(runtime.calls, ['start']);
  assert.equal(runtime.state.status, 'running');
  tray.click('copy-address');
  tray.click('copy-login');
  assert.deepEqual(copied, ['192.168.1.20:5000', 'docker login 192.168.1.20:5000']);
  tray.click('toggle');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(runtime.calls, ['start', 'stop']);
  tray.click('copy-address'); // stopped: nothing to copy
  assert.equal(copied.length, 2);
  tray.click('open');
  tray.click('quit');
  assert.deepEqual(events, ['open', 'quit']);
  controller.dispose();
  assert.equal(tray.destroyed, true);
  runtime.set(running());
  assert.equal(tray.image, '/res/tray-stopped.png', 'no updates after dispose');
});

test('tray model and icon paths', () => {
  assert.deepEqual(trayModel({ status: 'stopping' }, undefined).icon, 'starting');
  assert.equal(trayModel(running(), undefined).tooltip, 'Berth — Running at localhost:5000');
  assert.equal(trayIconPath('/r', 'running', 'darwin'), '/r/tray-runningTemplate.png');
  assert.equal(trayIconPath('/r', 'error', 'linux'), '/r/tray-error.png');
});
