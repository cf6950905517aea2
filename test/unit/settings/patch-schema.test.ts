// settings.update's schema is derived from the table's window rows: it takes exactly the Settings
// fields, checks each by its kind, and names the field that is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../../main/control/schemas';
import { setField } from '../../../main/lib/dotted-path';
import { UI_ROWS } from '../../../main/settings/rows';
import type { Kind } from '../../../preload/contract/setting-table';

/** A good value of each kind the window edits. */
function goodValue(kind: Kind): unknown {
  switch (kind.type) {
    case 'boolean': return true;
    case 'integer': return kind.min;
    case 'choice': return kind.values.at(-1);
    case 'path': return '/var/lib/berth';
    case 'url': return 'https://registry-1.docker.io';
    case 'duration': return '1h30m';
    case 'list': return ['team', 'ci/builds'];
    default: return 'Berth';
  }
}

test('every window field is accepted with a good value of its kind', () => {
  const patch: Record<string, unknown> = {};
  for (const row of UI_ROWS) setField(patch, row.ui.field, goodValue('value' in row.ui ? row.ui.value : row.value));
  const r = parseArgs('settings.update', patch);
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.ok(UI_ROWS.length >= 20);
});

test('a bad value is refused naming its field; unknown fields are refused', () => {
  const cases: Array<[unknown, string]> = [
    [{ port: 70000 }, 'port'],
    [{ port: 5000.5 }, 'port'],
    [{ dataDir: 'relative/dir' }, 'dataDir'],
    [{ tls: { minimumTls: 'tls1.0' } }, 'tls.minimumTls'],
    [{ auth: { realm: 'a"b' } }, 'auth.realm'],
    [{ auth: { defaultRole: 'root' } }, 'auth.defaultRole'],
    [{ proxy: { remoteUrl: 'ftp://x' } }, 'proxy.remoteUrl'],
    [{ proxy: { ttl: '-5m' } }, 'proxy.ttl'],
    [{ proxy: { ttl: 'soon' } }, 'proxy.ttl'],
    [{ proxy: { localNamespaces: ['Team'] } }, 'proxy.localNamespaces.0'],
    [{ proxy: { hasPassword: true } }, 'proxy'],
    [{ colour: 'blue' }, ''],
  ];
  for (const [patch, field] of cases) {
    const r = parseArgs('settings.update', patch);
    assert.equal(r.ok, false, JSON.stringify(patch));
    if (!r.ok) assert.equal(r.field, field, `${JSON.stringify(patch)}: ${r.message}`);
  }
});
