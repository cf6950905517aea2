// The desktop notifications, against a real runtime and control service on loopback, on a clock
// the test moves: the registry going down on its own (and not when someone stops it, or when a
// settings change rolls back), certificates expiring within 30 days, the data disk nearly full.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { statfs } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { CERT_CHECK_MS, createNotifier, DISK_CHECK_MS, diskSpace, LOW_DISK_BYTES, SETTLE_MS, type DiskSpace, type NotifierDeps } from '../../../main/app/notifications';
import type { CertificatesState } from '../../../preload/contract';
import { runCleanups, tempDir } from '../../support/cleanup';
import { startControl, type ControlFixture } from '../../support/control';
import { FakeNotifications, FakeRuntime, FakeScheduler, running } from '../../support/electron-fakes';

after(runCleanups);

const GiB = 1024 ** 3;

function notifierFor(f: ControlFixture, opts: { clock?: FakeScheduler; disk?: (path: string) => Promise<DiskSpace> } = {}) {
  const notifications = new FakeNotifications();
  const clock = opts.clock ?? new FakeScheduler(Date.now());
  const opened: string[] = [];
  const errors: string[] = [];
  const certificates = async (): Promise<CertificatesState> => {
    const r = await f.service.invoke('certs.get', {});
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };
  const notifier = createNotifier({
    notifications, runtime: f.runtime, certificates, scheduler: clock,
    diskSpace: opts.disk ?? (async () => ({ freeBytes: 100 * GiB, totalBytes: 200 * GiB })),
    openWindow: () => opened.push('open'),
    onError: (what, err) => errors.push(`${what}: ${String(err)}`),
  });
  return { notifications, clock, opened, errors, notifier };
}

async function until(cond: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !cond(); await new Promise((r) => setImmediate(r))) {
    assert.ok(Date.now() < deadline, 'timed out waiting');
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

test('a registry that cannot start is reported once the failure has lasted; a click opens the window', async () => {
  const blocker = createServer();
  const port = await listen(blocker);
  const f = await startControl({ start: false, port });
  try {
    const { notifications, clock, opened, notifier } = notifierFor(f);
    await assert.rejects(f.runtime.start());
    assert.equal(f.runtime.state.status, 'failed');
    await clock.advance(SETTLE_MS - 1);
    assert.equal(notifications.shown.length, 0, 'not before the failure has settled');
    await clock.advance(1);
    assert.deepEqual(notifications.titles(), ["Berth's registry is not running"]);
    assert.match(notifications.shown[0]!.body, /in use/);
    notifications.shown[0]!.click!();
    assert.deepEqual(opened, ['open']);
    await clock.advance(10 * SETTLE_MS);
    assert.equal(notifications.shown.length, 1, 'said once');
    notifier.dispose();
  } finally {
    blocker.close();
    await f.close();
  }
});

test('stopping the registry, and a settings change that rolls back, are not reported', async () => {
  const blocker = createServer();
  const busy = await listen(blocker);
  const f = await startControl();
  try {
    const { notifications, clock, notifier } = notifierFor(f);
    // The new port is taken: the registry fails to restart, and the previous settings come back.
    const r = await f.service.invoke('settings.update', { port: busy });
    assert.equal(!r.ok && r.error.code, 'UNAVAILABLE');
    assert.equal(f.runtime.state.status, 'running');
    await f.runtime.stop();
    await clock.advance(10 * SETTLE_MS);
    assert.deepEqual(notifications.shown, []);
    notifier.dispose();
    assert.equal(clock.pending, 0, 'dispose leaves no timers');
  } finally {
    blocker.close();
    await f.close();
  }
});

test('a registry that goes from running to stopped without stopping is reported', async () => {
  const f = await startControl({ start: false });
  try {
    // The real runtime has no way to drop its listener on its own; the fake plays that crash.
    const runtime = Object.assign(new FakeRuntime(), { config: f.runtime.config });
    const notifications = new FakeNotifications();
    const clock = new FakeScheduler();
    const deps: NotifierDeps = {
      notifications, runtime, scheduler: clock, openWindow: () => undefined,
      certificates: async () => ({ server: undefined, chain: [], ca: undefined, suggestedNames: [] }),
      diskSpace: async () => ({ freeBytes: 100 * GiB, totalBytes: 200 * GiB }),
    };
    const notifier = createNotifier(deps);
    runtime.set(running());
    runtime.set({ status: 'stopped' });
    await clock.advance(SETTLE_MS);
    assert.deepEqual(notifications.titles(), ["Berth's registry is not running"]);
    assert.match(notifications.shown[0]!.body, /without being asked/);
    notifier.dispose();
  } finally {
    await f.close();
  }
});

test('a TLS certificate or CA expiring within 30 days is reported once each, when TLS is on', async () => {
  const f = await startControl();
  try {
    const clock = new FakeScheduler(Date.now());
    const { notifications, errors, notifier } = notifierFor(f, { clock });
    const certs = await f.ok('certs.generate', { names: ['localhost'], keySize: 2048, validityDays: 20 });
    clock.jump(Date.parse(certs.server!.notAfter) - 20 * 86_400_000 - clock.now()); // exactly 20 days left
    await notifier.checkCertificates();
    assert.deepEqual(notifications.shown, [], 'TLS is off: nothing serves that certificate');

    await f.ok('settings.update', { tls: { enabled: true } }); // restarts: the running state triggers a check
    await until(() => notifications.shown.length > 0); // certs.get reads and parses the files
    assert.deepEqual(notifications.titles(), ["The registry's TLS certificate expires in 20 days"]);
    await clock.advance(CERT_CHECK_MS);
    assert.equal(notifications.shown.length, 1, 'not again at the next check');

    // Years later (the machine slept through the checks): the CA nears its end too.
    clock.jump(Date.parse(certs.ca!.notAfter) - 10 * 86_400_000 - clock.now());
    await clock.advance(CERT_CHECK_MS);
    assert.deepEqual(notifications.titles().slice(1).sort(), ["Berth's certificate authority expires in 10 days", "The registry's TLS certificate has expired"]);
    assert.deepEqual(errors, []);
    notifier.dispose();
  } finally {
    await f.close();
  }
});

test('the data disk nearly full (under 5% or 1 GiB free) is reported when it becomes so, checked every few minutes', async () => {
  const f = await startControl();
  try {
    const asked: string[] = [];
    let space: DiskSpace = { freeBytes: 100 * GiB, totalBytes: 200 * GiB };
    const { notifications, clock, notifier } = notifierFor(f, { disk: async (p) => { asked.push(p); return space; } });
    const root = f.runtime.config.storage.driver === 'filesystem' ? f.runtime.config.storage.filesystem.rootdirectory : '';
    await clock.advance(DISK_CHECK_MS);
    assert.ok(asked.length >= 1 && asked.every((p) => p === root), 'statfs of the storage root');

    space = { freeBytes: 9 * GiB, totalBytes: 200 * GiB }; // 4.5 %
    await clock.advance(DISK_CHECK_MS);
    assert.deepEqual(notifications.titles(), ['The disk holding your images is nearly full']);
    assert.match(notifications.shown[0]!.body, /9\.0 GiB free of 200\.0 GiB/);
    await clock.advance(3 * DISK_CHECK_MS);
    assert.equal(notifications.shown.length, 1, 'not again while it stays low');

    space = { freeBytes: 50 * GiB, totalBytes: 200 * GiB };
    await clock.advance(DISK_CHECK_MS);
    space = { freeBytes: LOW_DISK_BYTES - 1, totalBytes: 10 * GiB }; // 10 %, but under 1 GiB
    await clock.advance(DISK_CHECK_MS);
    assert.equal(notifications.shown.length, 2, 'again after it had recovered');
    notifier.dispose();
  } finally {
    await f.close();
  }
});

test('diskSpace is statfs of the folder, or of its nearest parent before the folder exists', async () => {
  const dir = await tempDir('berth-disk-');
  const fs = await statfs(dir);
  const s = await diskSpace(join(dir, 'not', 'yet', 'created'));
  assert.equal(s.totalBytes, fs.blocks * fs.bsize);
  assert.ok(s.freeBytes > 0 && s.freeBytes <= s.totalBytes);
});
