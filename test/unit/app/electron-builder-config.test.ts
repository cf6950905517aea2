// electron-builder.yml is valid against electron-builder's own schema (app-builder-lib's
// scheme.json), and what it names exists: the main bundle, the icons, the tray icons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

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
  const icon = readFileSync('resources/icon.png');
  assert.equal(icon.readUInt32BE(16), 512, 'icon.png is 512 px wide');
});
