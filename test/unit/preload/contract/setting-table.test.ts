// The setting table is the one declaration of each setting: every row is complete, the config
// reference documents every Berth key with the table's default, and the window's fields are
// exactly the rows with a `ui` place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { SETTING_ROWS as TABLE, type SettingRow } from '../../../../preload/contract/setting-table';

const SETTING_ROWS: readonly SettingRow[] = TABLE;

const docs = await readFile(new URL('../../../../docs/config.md', import.meta.url), 'utf8');

/** How docs/config.md writes a default in its table. */
function documented(value: unknown): RegExp {
  if (Array.isArray(value) ? value.length === 0 : typeof value === 'object') return /none/;
  return new RegExp('`' + String(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '`');
}

test('every row is complete: a label, help, and live or restart', () => {
  for (const row of SETTING_ROWS) {
    assert.ok(row.label.length > 0 && row.help.length > 0, row.path);
    assert.ok(row.apply === 'live' || row.apply === 'restart', row.path);
  }
});

test('docs/config.md documents every berth.* key with the default the table gives it', () => {
  for (const row of SETTING_ROWS.filter((r) => r.path.startsWith('berth.'))) {
    const line = docs.split('\n').find((l) => l.startsWith(`| \`${row.path}\` |`));
    assert.ok(line, `docs/config.md has no row for ${row.path}`);
    const defaultColumn = line.split(' | ')[2]!;
    assert.match(defaultColumn, documented(row.default), `${row.path}: the docs say ${defaultColumn}, the table ${JSON.stringify(row.default)}`);
  }
});

test('each window field is edited by one row, and berth.* keys have one row each', () => {
  const fields = SETTING_ROWS.flatMap((r) => (r.ui ? [r.ui.field] : []));
  assert.equal(new Set(fields).size, fields.length);
  const berth = SETTING_ROWS.filter((r) => r.path.startsWith('berth.')).map((r) => r.path);
  assert.equal(new Set(berth).size, berth.length);
  for (const row of SETTING_ROWS.filter((r) => r.path.startsWith('berth.'))) assert.ok('default' in row, `${row.path} has a default`);
});
