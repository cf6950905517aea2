// The desktop app's built main process (dist/app/main.cjs, from main/app/bootstrap.ts) run by
// plain Node under the Electron stand-in (test/support/electron-stand-in), since Electron's
// binary cannot be downloaded here. What a first launch on a user's machine depends on: the
// single-instance lock and a second launch showing the window; berth://app/ serving every file of
// the built renderer with its type and nothing outside it; a window whose preload exists, is
// CommonJS that needs only 'electron' under the sandbox, with contextIsolation and sandbox on;
// the IPC handler answering the control contract for our page only; the tray following the
// registry; Quit stopping the registry and freeing its port; a fatal start error shown in a
// dialog with a non-zero exit.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { extname, isAbsolute, join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import type { ControlResult, RegistryStatus, Settings } from '../../preload/contract';
import { launchDesktopApp, MAIN_BUNDLE, PRELOAD_BUNDLE, RENDERER_DIR, waitUntilRunning, type DesktopApp, type StandInState } from '../support/desktop-app';
import { tempDir } from '../support/cleanup';
import { describeExit, freePort, outputTail, useE2EHooks, type ExitStatus } from '../support/processes';
import { testRegistryYaml } from '../support/registry-yaml';

useE2EHooks();

const APP_PAGE = 'berth://app/index.html';
let app: DesktopApp;

before(async () => {
  for (const file of [MAIN_BUNDLE, PRELOAD_BUNDLE, join(RENDERER_DIR, 'index.html')]) {
    assert.ok(existsSync(file), `${file} is missing: run \`npm run build\` first`);
  }
  app = await launchDesktopApp({ name: 'berth desktop A' });
  await waitUntilRunning(app);
});

after(async () => {
  const problems = app?.events.filter((e) => e.event === 'process.uncaughtException' || e.event === 'process.unhandledRejection') ?? [];
  assert.deepEqual(problems, [], 'the main process had no uncaught exception or unhandled rejection');
});

/** A TCP connect to host:port: true when something accepts it. */
function accepts(addr: string): Promise<boolean> {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

async function exitOf(a: DesktopApp, timeoutMs = 30_000): Promise<ExitStatus> {
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${a.proc.name} did not exit within ${timeoutMs} ms; output:\n${outputTail(a.proc)}`)), timeoutMs).unref());
  const s = await Promise.race([a.exited, timer]);
  return { code: s.code, signal: s.signal };
}

const mainWindow = (s: StandInState) => {
  assert.equal(s.windows.length, 1, 'one window');
  return s.windows[0]!;
};

test('launch: berth:// is privileged before ready, the session refuses permissions, the window is hardened and its preload is sandboxed CommonJS exposing only window.berth', async () => {
  const s = await app.state();
  const order = app.events.map((e) => e.event);
  assert.ok(order.indexOf('protocol.registerSchemesAsPrivileged') < order.indexOf('app.ready'), 'schemes are registered before ready');
  assert.equal(s.privilegedSchemes.berth?.standard, true, 'berth: is a standard scheme (relative links resolve)');
  assert.equal(s.privilegedSchemes.berth?.secure, true);
  assert.deepEqual(s.handledSchemes, ['berth']);
  assert.deepEqual(s.ipcChannels, ['berth:control']);
  assert.deepEqual(s.permissionHandlers, { request: true, check: true });
  for (const permission of ['notifications', 'media', 'clipboard-read', 'geolocation']) {
    assert.equal(await app.request('session.permission', { permission }), false, `${permission} is refused`);
  }

  const win = mainWindow(s);
  const prefs = win.options.webPreferences ?? {};
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.webviewTag, false);
  const preload = String(prefs.preload);
  assert.ok(isAbsolute(preload) && existsSync(preload), `the preload exists: ${preload}`);
  assert.equal(preload, PRELOAD_BUNDLE);
  assert.ok(win.options.icon && existsSync(win.options.icon), `the window icon exists: ${win.options.icon}`);
  // Run by the stand-in as Electron's sandbox runs it: a CommonJS body whose require knows 'electron' only.
  assert.equal(win.preload?.error, undefined, win.preload?.error);
  assert.deepEqual(win.preload?.required, ['electron']);
  assert.deepEqual(win.preload?.exposed, ['berth']);
  assert.doesNotMatch(readFileSync(preload, 'utf8'), /^\s*(import|export)\s/m, 'no ES module syntax in the preload');

  assert.equal(win.url, APP_PAGE);
  assert.equal(win.visible, true, 'shown on ready-to-show');
  assert.deepEqual(win.loads.map((l) => [relative('berth://app', l.url), l.status]), [['index.html', 200], ['app.css', 200], ['app.js', 200]],
    'the page and everything it links to load through berth://');
  for (const load of win.loads) assert.match(load.csp ?? '', /connect-src 'none'/, `${load.url} carries the app's CSP`);

  // Through the preload, as the page calls it.
  const status = await app.request<ControlResult<RegistryStatus>>('preload.call', { key: 'berth', method: 'call', args: ['registry.status', {}] });
  assert.ok(status.ok && status.value.status === 'running', JSON.stringify(status));

  // Navigation is refused; https links go to the user's browser, nothing else does.
  assert.deepEqual(await app.request('webContents.will-navigate', { id: win.id, url: 'https://example.com/docs' }), { prevented: true });
  assert.deepEqual(await app.request('webContents.will-navigate', { id: win.id, url: 'file:///etc/passwd' }), { prevented: true });
  assert.deepEqual(await app.request('webContents.window-open', { id: win.id, url: 'http://example.com/' }), { action: 'deny' });
  assert.deepEqual((await app.state()).openedExternal, ['https://example.com/docs']);
});

const TYPES: Record<string, RegExp> = {
  '.html': /^text\/html; charset=utf-8$/, '.js': /^text\/javascript; charset=utf-8$/, '.css': /^text\/css; charset=utf-8$/,
  '.map': /^application\/json$/, '.png': /^image\/png$/, '.svg': /^image\/svg\+xml$/, '.woff2': /^font\/woff2$/, '.json': /^application\/json$/,
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test('berth://app/ serves every file of dist/renderer with its type, and nothing outside it', async () => {
  const files = filesUnder(RENDERER_DIR);
  assert.ok(files.length >= 3, files.join(', '));
  for (const file of files) {
    const rel = relative(RENDERER_DIR, file).split('/').map(encodeURIComponent).join('/');
    const res = await app.fetch(`berth://app/${rel}`);
    assert.equal(res.status, 200, `${rel}: ${JSON.stringify({ ...res, body: undefined })}`);
    const type = TYPES[extname(file)];
    assert.ok(type, `the test knows the type of ${extname(file)} files (${rel})`);
    assert.match(res.headers!['content-type'] ?? '', type, rel);
    assert.equal(res.headers!['x-content-type-options'], 'nosniff', rel);
    assert.match(res.headers!['content-security-policy'] ?? '', /default-src 'self'/, rel);
    assert.ok(res.body!.equals(readFileSync(file)), `${rel}: the bytes of the file`);
  }
  const root = await app.fetch('berth://app/');
  assert.equal(root.status, 200);
  assert.ok(root.body!.equals(readFileSync(join(RENDERER_DIR, 'index.html'))), 'berth://app/ is index.html');

  // dist/app/main.cjs exists next to the renderer: reachable by none of these.
  const outside = [
    'berth://app/../app/main.cjs', 'berth://app/%2e%2e/app/main.cjs', 'berth://app/..%2fapp%2fmain.cjs', 'berth://app/%2E%2E%2Fapp%2Fmain.cjs',
    'berth://app/..%5capp%5cmain.cjs', 'berth://app/..\\app\\main.cjs', `berth://app/${encodeURIComponent(MAIN_BUNDLE)}`, `berth://app/${MAIN_BUNDLE}`,
    'berth://app//etc/passwd', 'berth://app/%2fetc%2fpasswd', 'berth://app/index.html%00.js', 'berth://app/missing.js',
    'berth://other/index.html', 'berth://app.evil/index.html', 'berth://user:pw@app/index.html',
  ];
  for (const url of outside) {
    const res = await app.fetch(url);
    if (res.netError) continue; // never reached the handler (a URL with credentials makes no Request)
    assert.equal(res.status, 404, `${url} → ${res.url}: ${res.status}`);
    assert.equal(res.body!.toString('utf8'), 'not found', url);
  }
  assert.equal((await app.fetch('berth://app/index.html', { method: 'POST' })).status, 200, 'the method does not change what is served');
});

test('IPC: the control channel answers the contract for berth://app/ frames and refuses every other sender', async () => {
  const port = Number(app.registryAddr.split(':')[1]);
  const status = await app.invoke<ControlResult<RegistryStatus>>(APP_PAGE, 'registry.status', {});
  assert.ok(status.ok, JSON.stringify(status));
  assert.equal(status.value.status, 'running');
  assert.equal(status.value.status === 'running' && status.value.port, port);
  const settings = await app.invoke<ControlResult<Settings>>('berth://app/index.html#/registry', 'settings.get', {});
  assert.ok(settings.ok && settings.value.port === port, JSON.stringify(settings));

  const unknown = await app.invoke<ControlResult<unknown>>(APP_PAGE, 'registry.format-disk', {});
  assert.ok(!unknown.ok, 'an unknown method is refused');
  const badArgs = await app.invoke<ControlResult<unknown>>(APP_PAGE, 'settings.update', { port: 'many' });
  assert.ok(!badArgs.ok && badArgs.error.code === 'INVALID_ARGUMENT', JSON.stringify(badArgs));

  for (const frame of ['https://evil.example/', 'berth://app.evil/index.html', 'berth://evil/index.html', 'berth://user@app/index.html', 'file:///index.html', `http://${app.registryAddr}/`, 'about:blank', null]) {
    const r = await app.invoke<ControlResult<unknown>>(frame, 'registry.status', {});
    assert.deepEqual(r.ok ? r : r.error.code, 'PERMISSION_DENIED', `sender frame ${frame}`);
  }
});

test('tray: follows the registry stopped → starting → running through its Start/Stop item; copies the address; opens the window', { timeout: 60_000 }, async () => {
  const item = (s: StandInState, id: string) => s.trays[0]!.menu.find((i) => i.id === id)!;
  let s = await app.state();
  assert.equal(s.trays.length, 1);
  assert.ok(existsSync(s.trays[0]!.image) && s.trays[0]!.imageSize.width > 0, `the tray icon loads: ${s.trays[0]!.image}`);
  assert.equal(item(s, 'toggle').label, 'Stop registry');
  assert.equal(item(s, 'copy-address').enabled, true);

  // The window hears the change through the preload's subscription while the tray stops the registry.
  const heard = app.request<Array<{ type: string; status: RegistryStatus }>>('preload.listen', { key: 'berth', method: 'onEvent', ms: 3_000 });
  await app.request('tray.click', { id: 'toggle' });
  s = await app.waitFor('stopped', (x) => (x.trays[0]!.tooltip === 'Berth — Stopped' ? x : undefined));
  assert.equal(item(s, 'toggle').label, 'Start registry');
  assert.equal(item(s, 'copy-address').enabled, false);
  assert.match(s.trays[0]!.image, /tray-stopped\.png$/);
  assert.equal(await accepts(app.registryAddr), false, 'the port is closed');
  assert.ok((await heard).some((e) => e.type === 'status' && e.status.status === 'stopped'), 'the window got the stopped status');
  await assert.rejects(app.request('tray.click', { id: 'copy-address' }), /cannot be clicked/, 'a disabled item cannot be clicked');

  const before = s.trays[0]!.history.length;
  await app.request('tray.click', { id: 'toggle' });
  s = await waitUntilRunning(app);
  const seen = s.trays[0]!.history.slice(before);
  assert.equal(seen[0], 'Berth — Starting…', seen.join(' | '));
  assert.match(seen.at(-1)!, new RegExp(`^Berth — Running at ${app.registryAddr.replace(/\./g, '\\.')}$`));
  assert.match(s.trays[0]!.image, /tray-running\.png$/);
  assert.equal(item(s, 'toggle').label, 'Stop registry');
  assert.equal(await accepts(app.registryAddr), true);

  await app.request('tray.click', { id: 'copy-address' });
  assert.equal((await app.state()).clipboard, app.registryAddr);
  await app.request('tray.click', { id: 'copy-login' });
  assert.equal((await app.state()).clipboard, `docker login ${app.registryAddr}`);

  // Closing the window leaves Berth in the tray, registry serving; "Open Berth" brings a new one.
  await app.request('window', { action: 'close' });
  s = await app.state();
  assert.equal(s.windows.length, 0);
  assert.equal(await accepts(app.registryAddr), true, 'closing the window does not stop the registry');
  await app.request('tray.click', { id: 'open' });
  s = await app.waitFor('a window is shown again', (x) => (x.windows[0]?.visible ? x : undefined));
  assert.equal(mainWindow(s).url, APP_PAGE);
});

test('start at login (Linux): the tray checkbox writes an XDG autostart entry that starts Berth hidden, and removes it', async () => {
  const entry = join(app.home, '.config', 'autostart', 'dev.berth.app.desktop');
  const item = (s: StandInState) => s.trays[0]!.menu.find((i) => i.id === 'start-at-login')!;
  assert.equal(item(await app.state()).checked, false);
  await app.request('tray.click', { id: 'start-at-login' });
  const s = await app.waitFor('the item is ticked', (x) => (item(x).checked ? x : undefined));
  assert.equal(item(s).checked, true);
  const text = readFileSync(entry, 'utf8');
  assert.match(text, /^\[Desktop Entry\]\nType=Application\n/);
  const exec = /^Exec=(.*)$/m.exec(text)![1]!;
  assert.ok(exec.startsWith(process.execPath) && exec.endsWith(' --hidden'), exec);
  assert.ok(exec.includes(process.cwd()), `not packaged, it names the app folder: ${exec}`);
  await app.request('tray.click', { id: 'start-at-login' });
  await app.waitFor('the item is unticked', (x) => (!item(x).checked ? x : undefined));
  assert.equal(existsSync(entry), false);
});

test('single instance: a second launch gets no lock and quits; the first shows and focuses its window', { timeout: 60_000 }, async () => {
  await app.request('window', { action: 'minimize' });
  assert.equal(mainWindow(await app.state()).minimized, true);
  const second = await launchDesktopApp({ userData: app.userData, name: 'berth desktop A, second launch', args: ['--from-second'] });
  assert.deepEqual(await exitOf(second), { code: 0, signal: null }, outputTail(second.proc));
  const did = second.events.map((e) => e.event);
  assert.ok(!did.includes('BrowserWindow.created') && !did.includes('Tray.created') && !did.includes('protocol.handle'), `the second launch started nothing: ${did.join(', ')}`);

  const s = await app.waitFor('the first instance heard the second', (x) => (x.windows[0] && !x.windows[0].minimized ? x : undefined));
  const handed = app.events.find((e) => e.event === 'app.second-instance');
  assert.ok((handed?.argv as string[]).includes('--from-second'), 'the second launch handed over its command line');
  const win = mainWindow(s);
  assert.equal(win.visible, true);
  assert.equal(win.focused, true);
  assert.equal(s.singleInstanceLock, true, 'the first keeps the lock');
  assert.equal(await accepts(app.registryAddr), true, 'the registry kept serving');
});

test('started hidden (--hidden, as at login): no window until a second launch asks for one; app.quit() then stops the registry and exits 0', { timeout: 60_000 }, async () => {
  const hidden = await launchDesktopApp({ name: 'berth desktop hidden', args: ['--hidden'] });
  let s = await waitUntilRunning(hidden);
  assert.equal(s.windows.length, 0, 'no window at a hidden start');
  const second = await launchDesktopApp({ userData: hidden.userData, name: 'berth desktop hidden, second launch' });
  assert.equal((await exitOf(second)).code, 0);
  s = await hidden.waitFor('the window opened for the second launch', (x) => (x.windows[0]?.visible ? x : undefined));
  assert.equal(mainWindow(s).focused, true);

  await hidden.request('app.quit');
  assert.deepEqual(await exitOf(hidden), { code: 0, signal: null }, outputTail(hidden.proc));
  assert.equal(await accepts(hidden.registryAddr), false, 'the port is free after quit');
  assert.ok(!existsSync(join(hidden.userData, 'SingletonLock')), 'the single-instance lock is released');
});

test('Quit from the tray stops the registry, frees its port and exits 0', { timeout: 60_000 }, async () => {
  assert.equal(await accepts(app.registryAddr), true);
  await app.request('tray.click', { id: 'quit' });
  const exit = await exitOf(app);
  assert.deepEqual(exit, { code: 0, signal: null }, `exit: ${describeExit(exit)}; output:\n${outputTail(app.proc)}`);
  assert.equal(await accepts(app.registryAddr), false, 'nothing listens on the registry port');
  const quitOrder = app.events.map((e) => e.event).filter((e) => ['webContents.send', 'app.exit'].includes(e));
  assert.equal(quitOrder.at(-1), 'app.exit');
  assert.ok(!existsSync(join(app.userData, 'SingletonLock')), 'the single-instance lock is released');
});

test('a fatal start error (a settings store that cannot be read, a stored config that is not valid) shows an error dialog and exits non-zero', { timeout: 60_000 }, async () => {
  const cases = [
    { name: 'unreadable store', launch: { storeFileText: '{"config": "version: 0.1", ' }, says: /^The settings file \/.*\/user-data\/berth-settings\.json cannot be read \(.*JSON.*\)/ },
    { name: 'invalid config', launch: { configText: 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /tmp/x\nhttp:\n  addr: 127.0.0.1:notaport\n' }, says: /user-data\/config\.yml:\d+:\d+: http\.addr: "127\.0\.0\.1:notaport" is not a listen address/ },
  ];
  for (const c of cases) {
    const broken = await launchDesktopApp({ ...c.launch, name: `berth desktop, ${c.name}` });
    const exit = await exitOf(broken);
    assert.equal(exit.code, 1, `${c.name}: exit code; output:\n${outputTail(broken.proc)}`);
    const dialog = broken.events.find((e) => e.event === 'dialog.showErrorBox');
    assert.ok(dialog, `${c.name}: an error dialog; output:\n${outputTail(broken.proc)}`);
    assert.equal(dialog.title, 'Berth could not start');
    assert.match(String(dialog.content), c.says, `${c.name}: the dialog says what is wrong`);
    assert.ok(!broken.events.some((e) => e.event === 'Tray.created' || e.event === 'BrowserWindow.created'), `${c.name}: nothing half-started`);
  }
});

test('a registry that cannot start (its data folder is a file) is not fatal: the tray shows the error, the window opens, Quit exits 0', { timeout: 60_000 }, async () => {
  const work = await tempDir('berth-dt-file-');
  const file = join(work, 'not-a-folder');
  await writeFile(file, 'a file where the data folder should be');
  const port = await freePort();
  const broken = await launchDesktopApp({ name: 'berth desktop, data folder is a file', configText: testRegistryYaml(work, { dataDir: file, addr: `127.0.0.1:${port}` }) });
  const s = await broken.waitFor('the tray shows the error', (x) => (x.trays[0]?.tooltip.startsWith('Berth — Error: ') ? x : undefined));
  assert.match(s.trays[0]!.tooltip, /^Berth — Error: cannot use storage directory \//, 'says what is wrong');
  assert.match(s.trays[0]!.image, /tray-error\.png$/);
  assert.equal(s.trays[0]!.menu.find((i) => i.id === 'toggle')?.label, 'Start registry', 'the user can try again');
  assert.equal(s.windows.length, 1, 'the window opens to show it');
  assert.ok(!broken.events.some((e) => e.event === 'dialog.showErrorBox'), 'no fatal dialog');
  const status = await broken.invoke<ControlResult<RegistryStatus>>(APP_PAGE, 'registry.status', {});
  assert.ok(status.ok && status.value.status === 'failed', JSON.stringify(status));
  await broken.request('tray.click', { id: 'quit' });
  assert.deepEqual(await exitOf(broken), { code: 0, signal: null });
});
