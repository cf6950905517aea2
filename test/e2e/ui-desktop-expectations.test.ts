// What a desktop user expects of the window (issue 13, point 4), in Debian's Chromium through the
// web console: a first run that needs no reading (one Start button, where the images are kept,
// where to push, a `docker push` command to copy, which then really pushes); light and dark themes
// that follow the OS, with every page screenshotted in both (test-results/screenshots/
// <page>-light.png and <page>-dark.png); every page and control reachable and operable from the
// keyboard with a visible focus ring; no serious or critical axe-core violation on any page in
// either theme; and the Docker setup page's mirror entry following proxy mode.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { consoleCall, startBerthConsole, type BerthConsole } from '../support/berth-console';
import { openChromium, type BrowserSession } from '../support/browser';
import { sharedDockerd, type Dockerd } from '../support/dockerd';
import { importBusyboxImage } from '../support/images';
import { pushImage } from '../support/oci';
import { freePort, runCommand, useE2EHooks } from '../support/processes';
import { fetchTags } from '../support/registry-http';

useE2EHooks();

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const THEMES = ['light', 'dark'] as const;
type Theme = (typeof THEMES)[number];
/** The pages the navigation must offer at least; Logs and Storage join when the nav has them. */
const REQUIRED_NAV = ['Registry', 'Catalog', 'Users', 'Certificates', 'Docker setup'];
const REPO = 'team/app';
const TAG = 'v1';

let d: Dockerd;
let berth: BerthConsole;
let browser: BrowserSession;
let page: Page;

before(async () => {
  d = await sharedDockerd();
  // The Docker setup page is pointed at this private dockerd, never at the machine's own Docker.
  berth = await startBerthConsole({
    env: { DOCKER_HOST: d.host, BERTH_DOCKER_DAEMON_JSON: d.daemonJsonPath, BERTH_DOCKER_PIDFILE: join(d.dir, 'docker.pid') },
  });
  browser = await openChromium();
  page = browser.page;
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: berth.url });
});

after(() => {
  if (browser?.errors.length) process.stderr.write(`# browser errors:\n${browser.errors.join('\n')}\n`);
});

// ---- helpers -----------------------------------------------------------------------------

function card(name: string) {
  return page.getByRole('region', { name, exact: true });
}

/** Waits until the page's data has arrived: its heading shows and no "Loading …" line is left. */
async function settled(): Promise<void> {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => ![...document.querySelectorAll('[role=status]')].some((e) => e.textContent?.startsWith('Loading')));
}

/** Opens a page afresh (a hash route: the same one again is reloaded so its data is read again). */
async function open(route: string): Promise<void> {
  const url = `${berth.url}/#/${route}`;
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  await settled();
}

/** Reloads the page, so the next Tab starts from the top of the document. */
async function fromTheTop(): Promise<void> {
  await page.reload();
  await settled();
}

interface PageRef { name: string; route: string }

/** Every page in the navigation (by its link), plus a repository and an image in the catalog. */
async function everyPage(): Promise<PageRef[]> {
  await open('registry');
  const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').evaluateAll((els) =>
    els.map((a) => ({ label: a.textContent?.trim() ?? '', hash: (a as HTMLAnchorElement).hash })));
  const labels = links.map((l) => l.label);
  for (const required of REQUIRED_NAV) assert.ok(labels.includes(required), `the navigation offers ${required}: ${labels.join(', ')}`);
  const pages = links.map((l) => ({ name: l.label.toLowerCase().replace(/\s+/g, '-'), route: l.hash.replace(/^#\//, '') }));
  const repo = encodeURIComponent(REPO);
  pages.splice(pages.findIndex((p) => p.name === 'catalog') + 1, 0,
    { name: 'catalog-repository', route: `catalog/${repo}` },
    { name: 'catalog-image', route: `catalog/${repo}/${TAG}` });
  return pages;
}

type Rgb = [number, number, number];

function parseColor(css: string): Rgb {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css.trim());
  if (hex) return [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16), parseInt(hex[3]!, 16)];
  const m = /^rgba?\((\d+(?:\.\d+)?),\s*(\d+(?:\.\d+)?),\s*(\d+(?:\.\d+)?)/.exec(css);
  assert.ok(m, `a computed rgb() colour: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** WCAG 2 relative luminance and contrast ratio. */
function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

interface Palette { pageBg: Rgb; pageText: Rgb; cardBg: Rgb; cardText: Rgb; muted: Rgb }

async function palette(): Promise<Palette> {
  const css = await page.evaluate(() => {
    const root = getComputedStyle(document.documentElement);
    const cardEl = document.querySelector('.card');
    const card = cardEl ? getComputedStyle(cardEl) : root;
    const mutedEl = document.querySelector('.card .muted, .card .field-hint, .card-description');
    return {
      pageBg: root.backgroundColor, pageText: root.color, cardBg: card.backgroundColor, cardText: card.color,
      muted: mutedEl ? getComputedStyle(mutedEl).color : root.color,
    };
  });
  return { pageBg: parseColor(css.pageBg), pageText: parseColor(css.pageText), cardBg: parseColor(css.cardBg), cardText: parseColor(css.cardText), muted: parseColor(css.muted) };
}

interface AxeViolation { id: string; impact: string; help: string; nodes: string[] }

/** axe-core over the whole document. Evaluated, not a <script>: the page's CSP allows no inline script. */
async function axeViolations(): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(await readFile(AXE_SOURCE, 'utf8'));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact ?? '', help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`),
    }));
  });
}

/** The serious and critical violations, one readable block each; the rest goes to `minor`. */
async function seriousViolations(where: string, minor: string[] = []): Promise<string[]> {
  const found: string[] = [];
  for (const v of await axeViolations()) {
    const line = `${where} ${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}`;
    if (v.impact === 'serious' || v.impact === 'critical') found.push(line);
    else minor.push(line);
  }
  return found;
}

/** What has focus: its tag, role, accessible text and whether its outline shows. */
async function focused(): Promise<{ tag: string; text: string; role: string | null; outline: string; checked: boolean | null }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return { tag: '', text: '', role: null, outline: 'none', checked: null };
    const style = getComputedStyle(el);
    const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent : undefined;
    return {
      tag: el.tagName.toLowerCase(),
      text: (el.getAttribute('aria-label') ?? label ?? el.textContent ?? '').trim(),
      role: el.getAttribute('role'),
      outline: style.outlineStyle === 'none' || style.outlineWidth === '0px' ? 'none' : `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
      checked: el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio') ? el.checked : null,
    };
  });
}

/** Presses Tab (or Shift+Tab) until `match` has focus; fails after `limit` presses. */
async function tabTo(match: (f: Awaited<ReturnType<typeof focused>>) => boolean, what: string, opts: { back?: boolean; limit?: number } = {}) {
  const seen: string[] = [];
  for (let i = 0; i < (opts.limit ?? 80); i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    const f = await focused();
    if (match(f)) return f;
    seen.push(`${f.tag}:${f.text.slice(0, 40)}`);
  }
  assert.fail(`Tab never reached ${what}; focus went through: ${seen.join(' | ')}`);
}

// ---- the tests ---------------------------------------------------------------------------

test('first run: one Start button, the data folder, the address to push to and a docker push to copy; Start runs it in the same card', { timeout: 300_000 }, async () => {
  // The desktop app's first window before anything is started: a fresh data folder, registry stopped.
  assert.equal(existsSync(join(berth.root, 'docker', 'registry', 'v2', 'repositories')), false, 'a fresh data folder: no repository yet');
  await consoleCall(berth, 'registry.stop');
  await page.goto(berth.openUrl);
  const registry = card('Registry');
  await registry.getByTestId('registry-status').filter({ hasText: 'Stopped' }).waitFor();
  await settled();

  const starts = page.getByRole('button', { name: /\bstart\b/i });
  assert.equal(await starts.count(), 1, `exactly one Start button: ${(await starts.allTextContents()).join(', ')}`);
  const start = registry.getByRole('button', { name: 'Start registry' });
  assert.match((await start.getAttribute('class')) ?? '', /\bbtn-primary\b/, 'the Start button is the primary one');
  const box = await start.boundingBox();
  assert.ok(box && box.y + box.height <= 900, `the Start button shows without scrolling (at y=${box?.y})`);

  const folder = (await registry.getByTestId('data-folder').textContent())?.trim();
  assert.equal(folder, berth.root, 'where the images are kept');
  assert.equal((await registry.getByTestId('push-address').locator('code').textContent())?.trim(), berth.registryAddr, 'the address to push to, before Start');
  const command = `docker tag hello-world ${berth.registryAddr}/hello-world && docker push ${berth.registryAddr}/hello-world`;
  await registry.getByText(command, { exact: true }).waitFor();
  const copy = registry.getByRole('button', { name: `Copy: ${command}` });
  await copy.click();
  await registry.getByRole('button', { name: `Copied: ${command}` }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, command, 'the clipboard holds exactly the command shown');
  await browser.screenshot('first-run-stopped');
  const stoppedFindings = await seriousViolations('first run, stopped');
  assert.deepEqual(stoppedFindings, [], stoppedFindings.join('\n'));

  await start.click();
  await registry.getByTestId('registry-status').filter({ hasText: `Running on http://${berth.registryAddr}` }).waitFor();
  await registry.getByRole('button', { name: 'Stop registry' }).waitFor();
  assert.equal(await page.getByRole('button', { name: /\bstart\b/i }).count(), 0, 'running: no Start button left');
  await registry.getByText(command, { exact: true }).waitFor();
  assert.equal((await registry.getByTestId('push-address').locator('code').textContent())?.trim(), berth.registryAddr, 'the same address once running');
  await browser.screenshot('first-run-running');

  // The copied command works as it is, through a shell, against a real Docker.
  await importBusyboxImage(d, 'hello-world');
  await runCommand('sh', ['-c', copied], { env: d.env, timeoutMs: 300_000 });
  assert.deepEqual(await fetchTags(berth.registryUrl, 'hello-world'), ['latest']);
});

test('Docker setup without proxy mode: the mirror entry is off and empty, and the page says why with a link to turn proxy mode on', { timeout: 120_000 }, async () => {
  const settings = await consoleCall<{ proxy: { enabled: boolean } }>(berth, 'settings.get');
  assert.equal(settings.proxy.enabled, false);
  await open('docker');
  const entries = card('2. Entries');
  const mirror = entries.getByLabel('Use as a registry mirror');
  assert.equal(await mirror.isChecked(), false, 'no mirror entry without proxy mode');
  const note = entries.getByTestId('mirror-note');
  await note.filter({ hasText: 'registry-mirrors only makes sense for a pull-through cache of Docker Hub' }).waitFor();
  const link = note.getByRole('link', { name: 'Registry page' });
  assert.equal(await link.getAttribute('href'), '#/registry');
  await mirror.check();
  assert.equal(await entries.getByLabel('Mirror URL').inputValue(), '', 'the mirror URL is not prefilled');
  assert.equal(await entries.getByLabel('Insecure registry (host:port)').inputValue(), berth.registryAddr, 'the insecure entry still is');
  await browser.screenshot('docker-setup-no-proxy');
  await link.click();
  await card('Proxy mode').waitFor();
  assert.ok(page.url().endsWith('#/registry'));
});

test('themes: the OS light or dark preference picks the palette, readable in both; every page screenshotted in both', { timeout: 300_000 }, async () => {
  await pushImage(berth.registryUrl, REPO, TAG);
  const pages = await everyPage();
  const seen: Partial<Record<Theme, Palette>> = {};
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    for (const p of pages) {
      await open(p.route);
      if (p.name === 'catalog-image') await card('Layers').waitFor();
      const colours = await palette();
      seen[theme] ??= colours;
      assert.deepEqual(colours.pageBg, seen[theme].pageBg, `${p.name} (${theme}) uses the theme's page background`);
      for (const [what, fg, bg, min] of [['text', colours.pageText, colours.pageBg, 7], ['card text', colours.cardText, colours.cardBg, 7], ['muted text', colours.muted, colours.cardBg, 4.5]] as const) {
        const ratio = contrast(fg, bg);
        assert.ok(ratio >= min, `${p.name} (${theme}): ${what} contrast ${ratio.toFixed(2)} < ${min}`);
      }
      await browser.screenshot(`${p.name}-${theme}`);
    }
  }
  // Every text colour the stylesheet pairs with a background, including states the pages above
  // did not show (errors, warnings, diffs, filled buttons): 4.5:1 at least, in both themes.
  const pairs = [
    ['--text', '--bg'], ['--text', '--surface'], ['--text', '--sidebar'], ['--muted', '--bg'], ['--muted', '--surface'], ['--muted', '--sidebar'],
    ['--primary', '--surface'], ['--primary', '--bg'], ['--primary', '--primary-soft'], ['--danger', '--surface'], ['--danger', '--danger-soft'],
    ['--ok', '--ok-soft'], ['--warn', '--warn-soft'], ['--text', '--ok-soft'], ['--text', '--warn-soft'], ['--text', '--primary-soft'],
    ['#ffffff', '--primary-fill'], ['#ffffff', '--primary-fill-hover'], ['#ffffff', '--danger-fill'],
  ] as const;
  const weak: string[] = [];
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    const vars = await page.evaluate((names) => {
      const root = getComputedStyle(document.documentElement);
      return Object.fromEntries(names.map((n) => [n, root.getPropertyValue(n).trim()]));
    }, [...new Set(pairs.flat().filter((n) => n.startsWith('--')))]);
    for (const [fg, bg] of pairs) {
      const ratio = contrast(parseColor(vars[fg] ?? fg), parseColor(vars[bg] ?? bg));
      if (ratio < 4.5) weak.push(`${theme}: ${fg} on ${bg} ${ratio.toFixed(2)}:1`);
    }
  }
  assert.deepEqual(weak, [], `text/background pairs under 4.5:1: ${weak.join(', ')}`);

  const light = seen.light!;
  const dark = seen.dark!;
  assert.notDeepEqual(light.pageBg, dark.pageBg, 'the background follows the theme');
  assert.notDeepEqual(light.pageText, dark.pageText, 'the text colour follows the theme');
  assert.ok(luminance(light.pageBg) > 0.8 && luminance(light.pageText) < 0.1, `light: light background, dark text (${light.pageBg} / ${light.pageText})`);
  assert.ok(luminance(dark.pageBg) < 0.05 && luminance(dark.pageText) > 0.6, `dark: dark background, light text (${dark.pageBg} / ${dark.pageText})`);
  await page.emulateMedia({ colorScheme: null });
});

test('axe-core: no serious or critical violation on any page, in either theme', { timeout: 300_000 }, async (t) => {
  const pages = await everyPage();
  const found: string[] = [];
  const minor: string[] = [];
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    for (const p of pages) {
      await open(p.route);
      if (p.name === 'catalog-image') await card('Layers').waitFor();
      found.push(...await seriousViolations(`${p.name} (${theme})`, minor));
    }
  }
  // A modal dialog too: the catalog's delete confirmation, opened and closed from the keyboard.
  await open(`catalog/${encodeURIComponent(REPO)}`);
  await page.getByRole('button', { name: `Delete tag ${TAG}` }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  found.push(...await seriousViolations('catalog delete dialog (dark)', minor));
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await page.getByRole('link', { name: TAG, exact: true }).count(), 1, 'Escape cancels: the tag is still there');
  await page.emulateMedia({ colorScheme: null });
  for (const m of minor) t.diagnostic(`moderate or minor axe finding (not failing): ${m.replace(/\s+/g, ' ')}`);
  assert.deepEqual(found, [], found.join('\n'));
});

test('keyboard: a skip link, the navigation by Tab and Enter, a switch by Space, a button by Enter, Shift+Tab back, a visible focus ring', { timeout: 120_000 }, async () => {
  await open('registry');
  await fromTheTop();

  // The first Tab reaches the skip link, which shows itself when focused and jumps past the nav.
  await page.keyboard.press('Tab');
  let f = await focused();
  assert.equal(f.text, 'Skip to main content');
  assert.notEqual(f.outline, 'none', 'the skip link shows its focus ring');
  const skipBox = await page.getByRole('link', { name: 'Skip to main content' }).boundingBox();
  assert.ok(skipBox && skipBox.y >= 0, 'the focused skip link is on screen');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main-content');
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => !!document.activeElement?.closest('main')), 'after the skip link, Tab goes on inside main');

  // From the top: Tab through the navigation to Users, open it with Enter.
  await fromTheTop();
  f = await tabTo((x) => x.tag === 'a' && x.text === 'Users', 'the Users link');
  assert.notEqual(f.outline, 'none', `the focused nav link shows a ring (${f.outline})`);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
  assert.ok(page.url().endsWith('#/users'));
  // Shift+Tab goes back to the link before it.
  const navLabels = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
  await page.getByRole('link', { name: 'Users' }).focus();
  await page.keyboard.press('Shift+Tab');
  assert.equal((await focused()).text, navLabels[navLabels.indexOf('Users') - 1]?.trim());

  // Every page in the navigation opens with Tab and Enter from the top.
  for (const label of navLabels.map((l) => l.trim())) {
    await fromTheTop();
    await tabTo((x) => x.tag === 'a' && x.text === label, `the ${label} link`);
    const hash = await page.evaluate(() => (document.activeElement as HTMLAnchorElement).hash);
    await page.keyboard.press('Enter');
    await page.waitForFunction((h) => window.location.hash === h, hash);
    await settled();
    // The hash changes before React marks the link: wait for the mark, then say which failed.
    const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label });
    await link.and(page.locator('[aria-current="page"]')).waitFor({ timeout: 5000 }).catch(() => undefined);
    assert.equal(await link.getAttribute('aria-current'), 'page', `${label} is the current page`);
  }

  // A switch toggled with Space (then put back), its ring visible.
  await open('registry');
  await fromTheTop();
  f = await tabTo((x) => x.role === 'switch' && x.text.startsWith('Share on the network'), 'the "Share on the network" switch');
  assert.notEqual(f.outline, 'none', `the focused switch shows a ring (${f.outline})`);
  assert.equal(f.checked, false);
  await page.keyboard.press('Space');
  assert.equal((await focused()).checked, true, 'Space turns the switch on');
  await card('Network').getByText('Anyone who can reach port').first().waitFor();
  await page.keyboard.press('Space');
  assert.equal((await focused()).checked, false, 'Space turns it off again');

  // A button pressed with Enter: the push command's Copy.
  f = await tabTo((x) => x.tag === 'button' && x.text.startsWith('Copy: docker tag'), 'the push command’s Copy button', { back: true });
  assert.notEqual(f.outline, 'none', `the focused button shows a ring (${f.outline})`);
  await page.keyboard.press('Enter');
  await card('Registry').getByRole('button', { name: /^Copied: docker tag/ }).waitFor();
});

test('keyboard: Tab reaches every control of every page, each with a visible focus ring', { timeout: 300_000 }, async () => {
  const problems: string[] = [];
  for (const p of await everyPage()) {
    await open(p.route);
    await fromTheTop();
    if (p.name === 'catalog-image') await card('Layers').waitFor();
    // Number every visible, enabled control; then Tab through the page and tick off what gets focus.
    const controls = await page.evaluate(() => {
      const selector = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';
      const out: string[] = [];
      document.querySelectorAll<HTMLElement>(selector).forEach((el, i) => {
        const box = el.getBoundingClientRect();
        const disabled = (el as HTMLButtonElement).disabled === true;
        const hidden = box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden' || !!el.closest('[hidden], [inert]');
        if (disabled || hidden || el.classList.contains('skip-link')) return;
        el.dataset.kbd = String(i);
        out.push(`${i}:${el.tagName.toLowerCase()}:${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}`);
      });
      return out;
    });
    const reached = new Set<string>();
    const noRing: string[] = [];
    for (let i = 0; i < controls.length + 8; i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.kbd);
      if (id === undefined) continue;
      reached.add(id);
      const f = await focused();
      if (f.outline === 'none' && !(await page.evaluate(() => !!document.activeElement?.closest('.file-button')))) noRing.push(`${f.tag}:${f.text.slice(0, 40)}`);
    }
    const missed = controls.filter((c) => !reached.has(c.split(':')[0]!));
    if (missed.length) problems.push(`${p.name}: Tab never reaches ${missed.join(' | ')}`);
    if (noRing.length) problems.push(`${p.name}: no focus ring on ${noRing.join(' | ')}`);
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('Docker setup with proxy mode on: the mirror entry is on and prefilled with the registry URL, with no explanation needed', { timeout: 180_000 }, async () => {
  // Proxy mode on against a Docker Hub URL (nothing is pulled: no traffic leaves the machine).
  await consoleCall(berth, 'settings.update', { proxy: { enabled: true, remoteUrl: 'https://registry-1.docker.io' } });
  await open('docker');
  const entries = card('2. Entries');
  const mirror = entries.getByLabel('Use as a registry mirror');
  assert.equal(await mirror.isChecked(), true, 'proxy mode on: the mirror entry is on');
  assert.equal(await entries.getByLabel('Mirror URL').inputValue(), `http://${berth.registryAddr}`);
  assert.equal(await entries.getByTestId('mirror-note').count(), 0, 'nothing to explain');
  await browser.screenshot('docker-setup-proxy');
  // The reviewed change, with its diff: proposes the mirror, writes nothing before Apply.
  const before = await readFile(d.daemonJsonPath, 'utf8');
  await page.getByRole('button', { name: 'Preview changes' }).click();
  const diff = page.getByRole('region', { name: 'Changes to daemon.json' });
  await diff.getByText(`"http://${berth.registryAddr}"`).first().waitFor();
  assert.equal(await readFile(d.daemonJsonPath, 'utf8'), before, 'a preview writes nothing');
  const proxyFindings = await seriousViolations('docker setup, proxy on, previewed');
  assert.deepEqual(proxyFindings, [], proxyFindings.join('\n'));

  // Proxy mode caching another registry: the mirror is still offered, with the reason it may not help.
  const upstream = `http://127.0.0.1:${await freePort()}`;
  await consoleCall(berth, 'settings.update', { proxy: { remoteUrl: upstream } });
  await open('docker');
  await card('2. Entries').getByTestId('mirror-note').filter({ hasText: `Proxy mode caches ${upstream}, not Docker Hub` }).waitFor();
});

test('the browser console stayed free of errors', () => {
  assert.deepEqual(browser.errors, []);
});
