// daemon.json rules: refuse broken JSON (saying where), keep every other key and its order,
// the opposite scheme rules of insecure-registries and registry-mirrors, no duplicates, and
// the 2-space + final newline format the diff is computed on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DaemonJsonError,
  daemonDiff,
  editDaemonConfig,
  formatDaemonJson,
  normalizeInsecureRegistry,
  normalizeMirror,
  parseDaemonJson,
  validateRegistryKeys,
} from '../../../main/docker-setup/daemon-json';

test('parse: broken JSON is refused with the line and column where it breaks', () => {
  const text = '{\n  "debug": true,\n  "log-level": "warn"\n  "storage-driver": "vfs"\n}\n';
  assert.throws(() => parseDaemonJson(text, '/etc/docker/daemon.json'), (err: Error) => {
    assert.ok(err instanceof DaemonJsonError);
    assert.match(err.message, /\/etc\/docker\/daemon\.json is not valid JSON at line 4, column 3/);
    assert.match(err.message, /will not change it/);
    return true;
  });
  assert.throws(() => parseDaemonJson('{"a": 1,'), /at the end of the file|at line 1/);
  assert.throws(() => parseDaemonJson('["insecure-registries"]'), /must hold a JSON object.*not an array/);
  assert.throws(() => parseDaemonJson('null'), /not null/);
  assert.throws(() => parseDaemonJson('"x"'), /not a string/);
});

test('parse: an empty file or a BOM is fine (dockerd accepts both)', () => {
  assert.deepEqual(parseDaemonJson(''), {});
  assert.deepEqual(parseDaemonJson('  \n'), {});
  assert.deepEqual(parseDaemonJson('\uFEFF{"debug": true}'), { debug: true });
});

test('insecure-registries: host:port without scheme; http(s):// stripped with a warning', () => {
  assert.deepEqual(normalizeInsecureRegistry('10.0.0.2:5000'), { value: '10.0.0.2:5000', warnings: [] });
  assert.deepEqual(normalizeInsecureRegistry('Registry.Local:5000'), { value: 'registry.local:5000', warnings: [] });
  assert.equal(normalizeInsecureRegistry('[fd00::2]:5000').value, '[fd00::2]:5000');
  assert.equal(normalizeInsecureRegistry('10.1.0.0/16').value, '10.1.0.0/16', 'CIDRs are allowed too');
  const stripped = normalizeInsecureRegistry('http://10.0.0.2:5000/');
  assert.equal(stripped.value, '10.0.0.2:5000');
  assert.match(stripped.warnings[0]!, /without a scheme: using "10\.0\.0\.2:5000"/);
  assert.equal(normalizeInsecureRegistry('https://r.example:443').value, 'r.example:443');
  assert.throws(() => normalizeInsecureRegistry('ftp://10.0.0.2:5000'), /not a ftp:\/\/ URL/);
  assert.throws(() => normalizeInsecureRegistry('10.0.0.2:5000/v2/'), /no path/);
  assert.throws(() => normalizeInsecureRegistry('user@10.0.0.2:5000'), /no spaces, paths or credentials/);
  assert.throws(() => normalizeInsecureRegistry('10.0.0.2:70000'), /out of range/);
  assert.throws(() => normalizeInsecureRegistry('10.0.0.2:0'), /out of range/);
  assert.throws(() => normalizeInsecureRegistry('bad_host!:5000'), /not a valid host name/);
  assert.throws(() => normalizeInsecureRegistry(''), /empty/);
});

test('registry-mirrors: scheme required; no path, query, fragment or credentials', () => {
  assert.equal(normalizeMirror('http://10.0.0.2:5000').value, 'http://10.0.0.2:5000');
  assert.equal(normalizeMirror('https://Mirror.Example/').value, 'https://mirror.example', 'a bare "/" path is fine');
  assert.throws(() => normalizeMirror('10.0.0.2:5000'), /need a scheme, e\.g\. "http:\/\/10\.0\.0\.2:5000"/);
  assert.throws(() => normalizeMirror('ftp://10.0.0.2:5000'), /need a scheme/);
  assert.throws(() => normalizeMirror('http://10.0.0.2:5000/v2/'), /a path \("\/v2\/"\) is not allowed/);
  assert.throws(() => normalizeMirror('http://10.0.0.2:5000/?x=1'), /query/);
  assert.throws(() => normalizeMirror('http://10.0.0.2:5000/#top'), /fragment/);
  assert.throws(() => normalizeMirror('https://u:p@mirror.example'), /credentials/);
});

test('edit: every other key keeps its value and order; new keys go last; 2 spaces + newline', () => {
  const current = { debug: true, 'registry-mirrors': ['https://mirror.gcr.io'], 'log-opts': { 'max-size': '10m' }, 'data-root': '/srv/docker' };
  const r = editDaemonConfig(current, { insecureRegistry: '10.0.0.2:5000', mirror: 'http://10.0.0.2:5000' });
  assert.equal(r.changed, true);
  assert.deepEqual(Object.keys(r.config), ['debug', 'registry-mirrors', 'log-opts', 'data-root', 'insecure-registries']);
  assert.deepEqual(r.config['registry-mirrors'], ['https://mirror.gcr.io', 'http://10.0.0.2:5000']);
  assert.deepEqual(r.config['insecure-registries'], ['10.0.0.2:5000']);
  assert.deepEqual(r.config['log-opts'], { 'max-size': '10m' });
  assert.deepEqual(current['registry-mirrors'], ['https://mirror.gcr.io'], 'the input is not mutated');
  const text = formatDaemonJson(r.config);
  assert.ok(text.endsWith('}\n'));
  assert.match(text, /^ {2}"debug": true,$/m);
  assert.match(text, /^ {4}"10\.0\.0\.2:5000"$/m);
});

test('edit: no duplicates, also for equivalent spellings', () => {
  const current = { 'insecure-registries': ['10.0.0.2:5000'], 'registry-mirrors': ['http://10.0.0.2:5000/'] };
  const same = editDaemonConfig(current, { insecureRegistry: 'http://10.0.0.2:5000', mirror: 'HTTP://10.0.0.2:5000' });
  assert.equal(same.changed, false);
  assert.deepEqual(same.config, current);
  assert.equal(same.warnings.length, 1, 'the stripped scheme is still reported');
});

test('edit: remove takes out every equivalent entry and drops a list that becomes empty', () => {
  const current = { 'insecure-registries': ['10.0.0.2:5000', 'other:5000'], 'registry-mirrors': ['http://10.0.0.2:5000/'], debug: true };
  const r = editDaemonConfig(current, { insecureRegistry: '10.0.0.2:5000', mirror: 'http://10.0.0.2:5000', remove: true });
  assert.deepEqual(r.config, { 'insecure-registries': ['other:5000'], debug: true });
  assert.equal(editDaemonConfig({ debug: true }, { insecureRegistry: 'x:1', remove: true }).changed, false);
});

test('edit: refuses a key that is not a list of strings, and an empty change', () => {
  assert.throws(() => editDaemonConfig({ 'insecure-registries': '10.0.0.2:5000' }, { insecureRegistry: 'a:1' }), /must be a list of strings/);
  assert.throws(() => editDaemonConfig({}, {}), /nothing to change/);
});

test('validateRegistryKeys: what dockerd would reject is an error; what it would fix is a warning', () => {
  assert.deepEqual(validateRegistryKeys({ debug: true }), { errors: [], warnings: [] });
  const bad = validateRegistryKeys({ 'registry-mirrors': ['10.0.0.2:5000'], 'insecure-registries': ['https://a:1', 'a:1'] });
  assert.equal(bad.errors.length, 1);
  assert.match(bad.errors[0]!, /^registry-mirrors\[0\]: mirror "10\.0\.0\.2:5000": registry-mirrors entries need a scheme/);
  assert.ok(bad.warnings.some((w) => /without a scheme/.test(w)));
  assert.ok(bad.warnings.some((w) => /listed twice/.test(w)));
});

test('diff: a unified diff of current → next, labelled with the path', () => {
  const current = '{\n  "debug": true\n}\n';
  const next = formatDaemonJson(editDaemonConfig(parseDaemonJson(current), { insecureRegistry: '10.0.0.2:5000' }).config);
  const diff = daemonDiff('/etc/docker/daemon.json', current, next);
  assert.match(diff, /^--- \/etc\/docker\/daemon\.json\tcurrent$/m);
  assert.match(diff, /^\+\+\+ \/etc\/docker\/daemon\.json\tafter Berth's change$/m);
  assert.match(diff, /^-  "debug": true$/m);
  assert.match(diff, /^\+  "debug": true,$/m);
  assert.match(diff, /^\+  "insecure-registries": \[$/m);
  assert.match(diff, /^\+    "10\.0\.0\.2:5000"$/m);
  assert.match(diff, /^@@ -1,3 \+1,6 @@$/m);
});
