// The tray follows the runtime live: icon, tooltip and menu change with every state, and the
// menu's actions reach the runtime, the clipboard, the window and the start-at-login preference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTrayController } from '../../../main/app/tray';
import { trayModel } from '../../../main/app/tray-model';
import { trayIconPath } from '../../../main/app/paths';
import { FakePreferences, FakeRuntime, FakeTray, running } from '../../support/electron-fakes';

function setup() {
  const tray = new FakeTray();
  const runtime = new FakeRuntime();
  const preferences = new FakePreferences();
  const copied: string[] = [];
  const events: string[] = [];
  const errors: unknown[] = [];
  const controller = createTrayController({
    tray, runtime, preferences,
    address: () => '192.168.1.20:5000',
    iconPath: (icon) => `/res/tray-${icon}.png`,
    clipboard: { writeText: (t) => copied.push(t) },
    openWindow: () => events.push('open'),
    quit: () => events.push('quit'),
    onError: (err) => errors.push(err),
  });
  return { tray, runtime, preferences, copied, errors, events, controller };
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
  assert.equal(tray.item('status').label, 'Running at 192.168.1.20:5000 (TLS)');
  assert.equal(tray.item('copy-address').label, 'Copy address 192.168.1.20:5000');
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

test('"Start Berth at login" is a checkbox bound to the preference, both ways', async () => {
  const { tray, preferences, errors } = setup();
  assert.equal(tray.item('start-at-login').checked, false);
  tray.click('start-at-login');
  await new Promise((r) => setImmediate(r));
  assert.equal(preferences.value.startAtLogin, true);
  assert.equal(tray.item('start-at-login').checked, true);
  // Changed in the window (preferences.update through the control API): the tick follows.
  await preferences.update({ startAtLogin: false });
  assert.equal(tray.item('start-at-login').checked, false);
  // The OS refuses the login item: the tick stays as it was and the error is reported.
  preferences.refuse = new Error('login items are managed by policy');
  tray.click('start-at-login');
  await new Promise((r) => setImmediate(r));
  assert.equal(tray.item('start-at-login').checked, false);
  assert.deepEqual(errors, [preferences.refuse]);
});

test('tray model and icon paths', () => {
  assert.deepEqual(trayModel({ status: 'stopping' }, undefined, false).icon, 'starting');
  assert.equal(trayModel(running(), undefined, false).tooltip, 'Berth — Running at localhost:5000');
  assert.deepEqual(trayModel(running(), undefined, true).items.map((i) => i.id),
    ['status', 'sep-1', 'toggle', 'open', 'copy-address', 'copy-login', 'sep-2', 'start-at-login', 'sep-3', 'quit']);
  assert.equal(trayIconPath('/r', 'running', 'darwin'), '/r/tray-runningTemplate.png');
  assert.equal(trayIconPath('/r', 'running', 'win32'), '/r/tray-running.ico');
  assert.equal(trayIconPath('/r', 'error', 'linux'), '/r/tray-error.png');
});
