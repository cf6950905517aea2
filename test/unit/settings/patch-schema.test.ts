// settings.update's schema is derived from the table's window rows: it takes exactly the Settings
// fields, checks each by its kind, and names the field that is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../../main/control/schemas';
import { UI_ROWS } from '../../../main/settings/rows';

test('every window field is accepted with a good value', () => {
  const good: Record<string, unknown> = {
    port: 5001, shareOnNetwork: true, dataDir: '/var/lib/berth', deleteEnabled: true,
    tls: { enabled: true, certificate: '/etc/berth/server.crt', key: '/etc/berth/server.key', minimumTls: 'tls1.3' },
    auth: { enabled: true, realm: 'Berth', htpasswdPath: '/etc/berth/htpasswd', anonymousPull: true, defaultRole: 'write' },
    proxy: { enabled: true, remoteUrl: 'https://registry-1.docker.io', username: 'me', password: 'pw', ttl: '1h30m', allowPush: false, localNamespaces: ['team', 'ci/builds'] },
  };
  const r = parseArgs('settings.update', good);
  assert.ok(r.ok, r.ok ? '' : r.message);
  const covered = UI_ROWS.map((row) => row.ui.field).sort();
  const sent = Object.entries(good).flatMap(([k, v]) => (typeof v === 'object' ? Object.keys(v as object).map((f) => `${k}.${f}`) : [k])).sort();
  assert.deepEqual(sent, covered, 'the good patch above names every window field');
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
