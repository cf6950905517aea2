// electron-builder.yml is valid against electron-builder's own schema (app-builder-lib's
// scheme.json), and what it names exists: the main bundle, the icons, the tray icons, each in
// the format its platform takes, and each what scripts/make-icons.mjs draws. (That the packaged
// app finds them is test/unit/app/paths.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { runCleanups, tempDir } from '../../support/cleanup';
import { readIco, readPng } from '../../support/icon-files';

test('electron-builder.yml validates against app-builder-lib/scheme.json', () => {
  const schema = JSON.parse(readFileSync('node_modules/app-builder-lib/scheme.json', 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  const validate = ajv.compile(schema);
  const config = parse(readFileSync('electron-builder.yml', 'utf8')) as Record<string, unknown>;
  assert.ok(validate(config), ajv.errorsText(validate.errors, { separator: '\n' }));
});

test('package.json main is the app bundle; icons exist', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { main: string };
  assert.equal(pkg.main, 'dist/app/main.cjs');
  const config = parse(readFileSync('electron-builder.yml', 'utf8')) as { linux: { icon: string }; mac: { icon: string }; win: { icon: string } };
  for (const icon of [config.linux.icon, config.mac.icon, config.win.icon]) assert.ok(existsSync(icon), icon);
  for (const state of ['running', 'stopped', 'starting', 'error']) {
    for (const name of [`tray-${state}.png`, `tray-${state}@2x.png`, `tray-${state}Template.png`, `tray-${state}Template@2x.png`]) {
      assert.ok(existsSync(`resources/${name}`), name);
    }
  }
  const icon = readPng(readFileSync('resources/icon.png'));
  assert.deepEqual([icon.width, icon.height], [512, 512], 'electron-builder derives .icns and .ico from a 512 px icon.png');
});

test('tray icons: 16 and 32 px PNGs (Linux), macOS templates (black + alpha), Windows .ico with both sizes', () => {
  for (const state of ['running', 'stopped', 'starting', 'error']) {
    const small = readPng(readFileSync(`resources/tray-${state}.png`));
    const large = readPng(readFileSync(`resources/tray-${state}@2x.png`));
    assert.deepEqual([small.width, large.width], [16, 32]);
    for (const suffix of ['', '@2x']) {
      const t = readPng(readFileSync(`resources/tray-${state}Template${suffix}.png`));
      for (let i = 0; i < t.rgba.length; i += 4) assert.deepEqual([...t.rgba.subarray(i, i + 3)], [0, 0, 0], `template ${state}${suffix} is black + alpha`);
      assert.ok(t.rgba.some((v, i) => i % 4 === 3 && v === 255), `template ${state}${suffix} is not empty`);
    }
    const ico = readIco(readFileSync(`resources/tray-${state}.ico`));
    assert.deepEqual(ico.map((i) => i.width), [16, 32]);
    assert.ok(ico[0]!.rgba.equals(small.rgba) && ico[1]!.rgba.equals(large.rgba), `tray-${state}.ico holds the PNGs' pixels`);
  }
});

test('resources/ is exactly what scripts/make-icons.mjs draws', async (t) => {
  t.after(runCleanups);
  const out = await tempDir('berth-icons-');
  execFileSync(process.execPath, ['scripts/make-icons.mjs', out]);
  const drawn = readdirSync(out).sort();
  assert.deepEqual(readdirSync('resources').filter((f) => f !== 'README.md').sort(), drawn, 'no icon missing or left over');
  for (const f of drawn) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join('resources', f))), `${f} is up to date`);
});
