// Window options are hardened; navigation, new windows, webviews and permission requests are
// denied; the CSP header is set; berth://app/ serves only files inside the renderer folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { APP_CSP, appFileFor, isAppUrl } from '../../../main/app/app-url';
import { hardenSession, hardenWebContents } from '../../../main/app/security';
import { mainWindowOptions, WINDOW_BACKGROUND } from '../../../main/app/windows';
import { FakeSession, FakeWebContents } from '../../support/electron-fakes';

test('window options are hardened', () => {
  const o = mainWindowOptions('/app/dist/app/preload.cjs');
  assert.equal(o.show, false);
  assert.deepEqual(o.webPreferences, {
    preload: '/app/dist/app/preload.cjs',
    contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false,
    experimentalFeatures: false, webviewTag: false, navigateOnDragDrop: false, safeDialogs: true, spellcheck: false,
  });
});

test('the window paints the page\'s own background, light or dark, before the page loads', async () => {
  const css = await readFile(new URL('../../../renderer/src/styles.css', import.meta.url), 'utf8');
  const light = /:root\s*{[^}]*--bg:\s*(#[0-9a-f]+)/i.exec(css)?.[1];
  const dark = /prefers-color-scheme:\s*dark\)\s*{\s*:root\s*{[^}]*--bg:\s*(#[0-9a-f]+)/i.exec(css)?.[1];
  assert.deepEqual({ light, dark }, WINDOW_BACKGROUND);
  assert.equal(mainWindowOptions('/p').backgroundColor, WINDOW_BACKGROUND.light);
  assert.equal(mainWindowOptions('/p', undefined, true).backgroundColor, WINDOW_BACKGROUND.dark);
});

test('navigation, new windows and webviews are denied; only https goes to the browser', () => {
  const wc = new FakeWebContents();
  const opened: string[] = [];
  hardenWebContents(wc, { openExternal: (u) => opened.push(u) });
  assert.equal(wc.emit('will-navigate', 'https://example.com/docs'), true);
  assert.equal(wc.emit('will-navigate', 'berth://app/other.html'), true);
  assert.equal(wc.emit('will-navigate', 'file:///etc/passwd'), true);
  assert.equal(wc.emit('will-attach-webview'), true);
  assert.deepEqual(wc.openHandler!({ url: 'https://example.com/x' }), { action: 'deny' });
  assert.deepEqual(wc.openHandler!({ url: 'javascript:alert(1)' }), { action: 'deny' });
  assert.deepEqual(wc.openHandler!({ url: 'http://plain.example/' }), { action: 'deny' });
  assert.deepEqual(opened, ['https://example.com/docs', 'https://example.com/x']);
});

test('permission requests and checks are denied; responses get the CSP header', () => {
  const s = new FakeSession();
  hardenSession(s);
  for (const p of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
    let granted: boolean | undefined;
    s.request!({}, p, (g) => { granted = g; });
    assert.equal(granted, false, p);
    assert.equal(s.check!({}, p), false, p);
  }
  let headers: Record<string, string[]> | undefined;
  s.headers!({ responseHeaders: { 'X-A': ['1'] } }, (r) => { headers = r.responseHeaders; });
  assert.deepEqual(headers, { 'X-A': ['1'], 'Content-Security-Policy': [APP_CSP] });
  assert.match(APP_CSP, /connect-src 'none'/);
});

test('berth://app/ maps to files inside the renderer folder only', () => {
  assert.equal(isAppUrl('berth://app/index.html'), true);
  assert.equal(isAppUrl('berth://app.evil/index.html'), false);
  assert.equal(isAppUrl('file:///app/index.html'), false);
  assert.equal(isAppUrl('not a url'), false);
  assert.deepEqual(appFileFor('/r', 'berth://app/'), { path: '/r/index.html', type: 'text/html; charset=utf-8' });
  assert.deepEqual(appFileFor('/r', 'berth://app/app.js?x=1'), { path: '/r/app.js', type: 'text/javascript; charset=utf-8' });
  // The URL parser already resolves encoded dots; what is left stays inside the folder.
  assert.equal(appFileFor('/r', 'berth://app/%2e%2e/%2e%2e/etc/passwd')?.path, '/r/etc/passwd');
  assert.equal(appFileFor('/r', 'berth://app/..%2f..%2fetc/passwd'), undefined);
  assert.equal(appFileFor('/r', 'https://app/index.html'), undefined);
});
