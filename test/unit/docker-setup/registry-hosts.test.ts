// The one grammar for insecure-registries hosts and registry-mirrors URLs (issue 10, point 2):
// whatever reaches daemon.json, a certs.d folder name or a command shown to the user is a host
// name, an IPv4 or bracketed IPv6 address and a port 1-65535; never a shell metacharacter. The
// backend's normalizers, the control API's argument check and the renderer's form all agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostPortProblem, insecureRegistryProblem, isIPv6, mirrorUrlProblem } from '../../../preload/contract/registry-hosts';
import { DaemonJsonError, normalizeInsecureRegistry, normalizeMirror } from '../../../main/docker-setup/daemon-json';
import { trustTarget } from '../../../main/docker-setup/trust';
import { parseArgs } from '../../../main/control/schemas';
import { checkInsecureEntry, checkMirrorUrl } from '../../../renderer/src/features/docker-setup/validation';

const TARGET = '/etc/docker/daemon.json';

const BAD_HOSTS = [
  '`id`:5000', 'a;id:5000', '10.0.0.2:5000;id', '$(id):5000', '${IFS}:5000', 'a b:5000', 'a\nb:5000', 'user@host:5000', 'user:pw@host:5000', "h'x:5000", 'h"x:5000', 'h|x:5000', 'h&x:5000', 'h>x:5000',
  '../x:5000', '..:5000', 'h:0', 'h:65536', 'h:5000:1', 'fd00::1:5000', '[fd00::1', '[fd00::zz]:5000', '[fe80::1%eth0]:5000',
  'bad_host:5000', '-h:5000', '999.1.1.1:5000', 'h:5000/v2', '',
];
const GOOD_HOSTS = ['10.0.0.2:5000', 'registry.local', 'Registry.Local:5000', 'localhost:5000', '[fd00::2]:5000', '[::1]:5000', '[2001:db8::1]', 'h:1', 'h:65535', '[::ffff:10.0.0.1]:443'];

const BAD_MIRRORS = [
  'http://`id`', 'http://a;id', 'http://$(id)', 'http://a b', 'http://h:5000\nid', 'http://u:p@h', 'http://u@h:5000', 'http://h/$(id)',
  'http://h/;id', 'http://h/`id`', "http://h/'", 'http://h/a b', 'http://h/?x=1', 'http://h/#top', 'http://h:99999', 'ftp://h',
  'h:5000', 'http://h/v2/', 'http://[fd00::1', 'http://', 'javascript://h',
];
const GOOD_MIRRORS = ['http://10.0.0.2:5000', 'https://mirror.example', 'https://mirror.example/', 'http://[fd00::1]:5000', 'https://m.example:8443/dockerhub', 'http://[::ffff:10.0.0.1]:5000'];

test('insecure-registries hosts with shell metacharacters, spaces, newlines or credentials are refused everywhere', () => {
  for (const h of BAD_HOSTS) {
    const what = JSON.stringify(h);
    assert.ok(insecureRegistryProblem(h), `grammar accepted ${what}`);
    assert.throws(() => normalizeInsecureRegistry(h), DaemonJsonError, `normalizeInsecureRegistry accepted ${what}`);
    assert.ok(checkInsecureEntry(h), `the form accepted ${what}`);
    const args = parseArgs('docker.preview', { target: TARGET, insecureRegistry: h });
    assert.equal(args.ok, false, `the control API accepted ${what}`);
    assert.equal(!args.ok && args.field, 'insecureRegistry');
  }
});

test('registry-mirrors URLs with shell metacharacters, credentials, query, fragment or whitespace are refused everywhere', () => {
  for (const m of BAD_MIRRORS) {
    const what = JSON.stringify(m);
    assert.ok(mirrorUrlProblem(m), `grammar accepted ${what}`);
    assert.throws(() => normalizeMirror(m), DaemonJsonError, `normalizeMirror accepted ${what}`);
    assert.ok(checkMirrorUrl(m), `the form accepted ${what}`);
    const args = parseArgs('docker.apply', { target: TARGET, mirror: m, then: 'later' });
    assert.equal(args.ok, false, `the control API accepted ${what}`);
    assert.equal(!args.ok && args.field, 'mirror');
  }
});

test('surrounding whitespace: the control API refuses it; the wizard and the form trim it, so it never reaches the file', () => {
  for (const [field, value, written] of [['insecureRegistry', '10.0.0.2:5000\n', '10.0.0.2:5000'], ['mirror', ' http://h:5000\n', 'http://h:5000']] as const) {
    const args = parseArgs('docker.preview', { target: TARGET, [field]: value });
    assert.equal(!args.ok && args.field, field);
    assert.equal((field === 'mirror' ? normalizeMirror(value) : normalizeInsecureRegistry(value)).value, written);
  }
});

test('valid hosts and mirrors (names, IPv4, IPv6, ports, CIDRs, a mirror path) are accepted everywhere', () => {
  for (const h of GOOD_HOSTS) {
    assert.equal(insecureRegistryProblem(h), undefined, h);
    assert.equal(checkInsecureEntry(h), undefined, h);
    assert.equal(normalizeInsecureRegistry(h).value, h.toLowerCase());
    assert.ok(parseArgs('docker.preview', { target: TARGET, insecureRegistry: h }).ok, h);
  }
  for (const cidr of ['10.1.0.0/16', 'fd00::/8']) assert.equal(normalizeInsecureRegistry(cidr).value, cidr);
  for (const m of GOOD_MIRRORS) {
    assert.equal(mirrorUrlProblem(m), undefined, m);
    assert.equal(checkMirrorUrl(m), undefined, m);
    assert.ok(parseArgs('docker.preview', { target: TARGET, mirror: m }).ok, m);
  }
  assert.equal(normalizeMirror('HTTPS://M.Example:8443/DockerHub/').value, 'https://m.example:8443/DockerHub');
  assert.equal(normalizeMirror('http://[FD00::1]:5000').value, 'http://[fd00::1]:5000');
});

test('IPv6 text forms: compressed, full, embedded IPv4; never a zone, a second "::" or a ninth group', () => {
  for (const v of ['::', '::1', 'fd00::1', '1:2:3:4:5:6:7:8', '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4']) assert.equal(isIPv6(v), true, v);
  for (const v of ['1:2:3:4:5:6:7:8:9', '1::2::3', ':1', '1:', ':::', 'fe80::1%eth0', '1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '12345::1']) assert.equal(isIPv6(v), false, v);
});

test('certs.d folders: one level under the client folder, named by a valid host:port only', () => {
  assert.equal(trustTarget('docker', { hostPort: '[fd00::1]:5000', caPem: 'x', baseDir: '/b' }).dir, '/b/[fd00::1]:5000');
  for (const hostPort of ['../../etc/cron.d:1', '..:5000', 'a/b:5000', 'h;id:5000', 'h']) {
    assert.throws(() => trustTarget('containerd', { hostPort, caPem: 'x', baseDir: '/b' }), /cannot name a certs\.d folder/, hostPort);
    assert.equal(parseArgs('certs.trust', { client: 'docker', hostPort }).ok, false, hostPort);
  }
  assert.equal(hostPortProblem('h', true), 'add the port, e.g. host:5000');
});
