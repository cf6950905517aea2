// The desktop app finds every file it loads, both as `npm start` runs it from the checkout and as
// electron-builder packages it. The test builds the app, lays it out the way electron-builder
// does from electron-builder.yml (its `files` packed into a real app.asar archive — and, with
// `asar: false`, an app/ folder — its `extraResources` beside it under <resources>/), then
// resolves appPaths() from where the main bundle sits and checks each path names a real file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { createPackage, extractFile, listPackage } from '@electron/asar';
import { minimatch } from 'minimatch';
import { parse } from 'yaml';
import { appIconPath, appPaths, trayIconPath, type AppPaths } from '../../../main/app/paths';
import type { TrayIcon } from '../../../main/app/tray-model';
import { runCleanups, tempDir } from '../../support/cleanup';
// @ts-expect-error -- build scripts are plain ESM without types
import { buildApp } from '../../../scripts/build-app.mjs';
// @ts-expect-error -- build scripts are plain ESM without types
import { buildRenderer } from '../../../scripts/build-renderer.mjs';

interface BuilderConfig {
  files: string[];
  extraResources: Array<{ from: string; to: string; filter: string[] }>;
}

const ICONS: TrayIcon[] = ['running', 'stopped', 'starting', 'error'];
const PLATFORMS: NodeJS.Platform[] = ['darwin', 'win32', 'linux'];

let checkout: string; // a checkout after `npm run build`: dist/, resources/, package.json
let resourcesPath: string; // what process.resourcesPath is once packaged
let mainEntry: string;
let mainImports: string[];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** electron-builder's rule for `files`: later patterns win, `!` excludes. */
function selected(file: string, patterns: string[]): boolean {
  let keep = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    if (minimatch(file, negated ? p.slice(1) : p, { dot: true })) keep = !negated;
  }
  return keep;
}

before(async () => {
  const root = await tempDir('berth-pack-');
  checkout = join(root, 'checkout');
  const { main } = (await buildApp({ outdir: join(checkout, 'dist/app') })) as { main: { metafile: { outputs: Record<string, { imports: Array<{ path: string }> }> } } };
  mainImports = Object.values(main.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  await buildRenderer({ outdir: join(checkout, 'dist/renderer') });
  cpSync('package.json', join(checkout, 'package.json'));
  cpSync('resources', join(checkout, 'resources'), { recursive: true });
  mainEntry = (JSON.parse(readFileSync('package.json', 'utf8')) as { main: string }).main;

  const config = parse(readFileSync('electron-builder.yml', 'utf8')) as BuilderConfig;
  resourcesPath = join(root, 'packaged', 'resources');
  const appDir = join(resourcesPath, 'app'); // asar: false keeps this folder; the default packs it
  for (const file of walk(checkout).map((f) => relative(checkout, f).split(sep).join('/'))) {
    if (!selected(file, config.files)) continue;
    mkdirSync(dirname(join(appDir, file)), { recursive: true });
    cpSync(join(checkout, file), join(appDir, file));
  }
  await createPackage(appDir, join(resourcesPath, 'app.asar'));
  for (const extra of config.extraResources) {
    for (const file of walk(extra.from).map((f) => relative(extra.from, f))) {
      if (extra.filter.some((f) => minimatch(file, f))) cpSync(join(extra.from, file), join(resourcesPath, extra.to, file));
    }
  }
});
after(runCleanups);

/** Whether a path exists, reading inside an .asar archive as Electron's fs does. */
function exists(path: string): boolean {
  const at = path.indexOf(`.asar${sep}`);
  if (at < 0) return existsSync(path);
  const archive = path.slice(0, at + 5);
  const inside = path.slice(at + 6).split(sep).join('/');
  return listPackage(archive, { isPack: false }).map((p) => p.replace(/^[\\/]/, '').split(sep).join('/')).includes(inside);
}

function read(path: string): string {
  const at = path.indexOf(`.asar${sep}`);
  return at < 0 ? readFileSync(path, 'utf8') : extractFile(path.slice(0, at + 5), path.slice(at + 6)).toString('utf8');
}

/** Every file the app loads, from the paths it resolves. */
function checkLayout(paths: AppPaths, where: string): void {
  assert.ok(exists(paths.preload), `${where}: preload ${paths.preload}`);
  const index = join(paths.rendererDir, 'index.html');
  assert.ok(exists(index), `${where}: ${index}`);
  const assets = [...read(index).matchAll(/(?:src|href)="([^":]+)"/g)].map((m) => m[1]!);
  assert.deepEqual(assets.sort(), ['app.css', 'app.js'], `${where}: the renderer's own files`);
  for (const asset of assets) assert.ok(exists(join(paths.rendererDir, asset)), `${where}: ${asset}`);
  for (const platform of PLATFORMS) {
    for (const icon of ICONS) {
      const file = trayIconPath(paths.resourcesDir, icon, platform);
      assert.ok(exists(file), `${where}: ${platform} tray icon ${file}`);
      if (platform === 'darwin') assert.ok(exists(file.replace(/\.png$/, '@2x.png')), `${where}: ${file} @2x`);
    }
  }
  assert.ok(exists(appIconPath(paths.resourcesDir)), `${where}: app icon`);
}

test('from the checkout (npm start): preload, renderer and icons resolve beside dist/app', () => {
  const bundleDir = dirname(join(checkout, mainEntry));
  assert.ok(existsSync(join(bundleDir, 'main.cjs')));
  checkLayout(appPaths(bundleDir, false, '/no/resources/path'), 'checkout');
});

test('packaged in app.asar: the main bundle is there and every file it loads resolves', () => {
  const bundleDir = dirname(join(resourcesPath, 'app.asar', mainEntry)); // __dirname of the packaged main
  assert.ok(exists(join(bundleDir, 'main.cjs')), 'package.json "main" is packed');
  assert.ok(exists(join(resourcesPath, 'app.asar', 'package.json')));
  checkLayout(appPaths(bundleDir, true, resourcesPath), 'app.asar');
  const packed = listPackage(join(resourcesPath, 'app.asar'), { isPack: false });
  assert.deepEqual(packed.filter((p) => /\.map$|node_modules/.test(p)), [], 'no source maps or node_modules');
});

test('packaged without an archive (asar: false): the same paths resolve', () => {
  const bundleDir = dirname(join(resourcesPath, 'app', mainEntry));
  checkLayout(appPaths(bundleDir, true, resourcesPath), 'app/');
});

test('the main bundle needs nothing outside itself but electron, Node built-ins and its lazy bundles, which are packed beside it', () => {
  const builtins = new Set(builtinModules);
  assert.ok(mainImports.includes('electron'), 'the metafile lists the bundle\'s imports');
  // The AWS SDK, the Redis client and node-forge, loaded only when used (scripts/lazy-bundles.mjs).
  const lazy = [...new Set(mainImports.filter((p) => /^\.\/[a-z0-9-]+\.cjs$/.test(p)))].sort();
  assert.deepEqual(lazy, ['./forge-lib.cjs', './redis-sdk.cjs', './s3-sdk.cjs']);
  const outside = mainImports.filter((p) => p !== 'electron' && !p.startsWith('node:') && !builtins.has(p) && !lazy.includes(p));
  assert.deepEqual(outside, [], 'node_modules is not packaged, so the bundle must carry everything');
  const bundleDir = dirname(join(resourcesPath, 'app.asar', mainEntry));
  for (const file of lazy) assert.ok(exists(join(bundleDir, file)), `${file} is packed beside the main bundle`);
});
