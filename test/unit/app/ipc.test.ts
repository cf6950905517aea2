// The IPC handler answers only our own page and only well-formed calls; events reach only
// windows showing our page.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROL_CHANNEL, CONTROL_EVENT_CHANNEL, type ControlResult } from '../../../preload/contract';
import { registerControlIpc } from '../../../main/app/ipc';
import { startControl } from '../../support/control';
import { FakeIpcMain, FakeWebContents } from '../../support/electron-fakes';

const fixture = await startControl({ start: false });
after(() => fixture.close());

function setup() {
  const ipcMain = new FakeIpcMain();
  const ours = new FakeWebContents('berth://app/index.html#/home');
  const foreign = new FakeWebContents('https://evil.example/');
  const reg = registerControlIpc({ ipcMain, service: fixture.service, targets: () => [ours, foreign] });
  return { ipcMain, ours, foreign, reg };
}

test('a call from our page reaches the service', async () => {
  const { ipcMain, reg } = setup();
  const r = (await ipcMain.invoke(CONTROL_CHANNEL, 'berth://app/index.html', 'registry.status', {})) as ControlResult<{ status: string }>;
  assert.deepEqual(r, { ok: true, value: { status: 'stopped' } });
  reg.dispose();
  assert.equal(ipcMain.handlers.size, 0);
});

test('a foreign or missing sender frame is refused', async () => {
  const { ipcMain, reg } = setup();
  for (const url of ['https://evil.example/', 'file:///tmp/index.html', 'berth://other/index.html', 'berth://user:pw@app/', null]) {
    const r = (await ipcMain.invoke(CONTROL_CHANNEL, url, 'registry.start', {})) as ControlResult<unknown>;
    assert.equal(r.ok, false, String(url));
    assert.equal(!r.ok && r.error.code, 'PERMISSION_DENIED');
  }
  assert.equal(fixture.runtime.state.status, 'stopped', 'nothing ran');
  reg.dispose();
});

test('bad method names and arguments are refused with INVALID_ARGUMENT / NOT_FOUND', async () => {
  const { ipcMain, reg } = setup();
  const page = 'berth://app/index.html';
  const cases: Array<[unknown, unknown, string]> = [
    ['settings.update', { port: 'five' }, 'INVALID_ARGUMENT'],
    ['users.add', { user: 'a b', password: 'x', role: 'admin' }, 'INVALID_ARGUMENT'],
    ['catalog.deleteTag', { repository: 'x', tag: '../../etc' }, 'INVALID_ARGUMENT'],
    ['registry.status', 'not an object', 'INVALID_ARGUMENT'],
    ['__proto__', {}, 'NOT_FOUND'],
    [42, {}, 'NOT_FOUND'],
  ];
  for (const [method, args, code] of cases) {
    const r = (await ipcMain.invoke(CONTROL_CHANNEL, page, method, args)) as ControlResult<unknown>;
    assert.equal(!r.ok && r.error.code, code, `${String(method)} ${JSON.stringify(args)}`);
  }
  reg.dispose();
});

test('status events go to our windows only', async () => {
  const { ours, foreign, reg } = setup();
  await fixture.ok('registry.start', {});
  await fixture.ok('registry.stop', {});
  reg.dispose();
  assert.deepEqual(ours.sent.map((s) => [s.channel, (s.args[0] as { status: { status: string } }).status.status]), [
    [CONTROL_EVENT_CHANNEL, 'starting'], [CONTROL_EVENT_CHANNEL, 'running'], [CONTROL_EVENT_CHANNEL, 'stopping'], [CONTROL_EVENT_CHANNEL, 'stopped'],
  ]);
  assert.deepEqual(foreign.sent, []);
});
