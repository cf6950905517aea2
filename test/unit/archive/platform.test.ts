// Which platform of an index `docker load` gets from an export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExportError } from '../../../main/archive/export-error';
import { hostPlatform, matchesPlatform, parsePlatform } from '../../../main/archive/platform';

test('--platform is os/arch[/variant]', () => {
  assert.deepEqual(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  for (const bad of ['linux', 'linux/', 'linux/arm/', 'linux/arm/v7/x']) {
    assert.throws(() => parsePlatform(bad), ExportError, bad);
  }
});

test('this machine is a Linux platform with Docker\'s architecture name', () => {
  const p = hostPlatform();
  assert.equal(p.os, 'linux');
  assert.equal(p.architecture, { x64: 'amd64', arm64: 'arm64' }[process.arch as string] ?? p.architecture);
});

test('a platform matches on os and architecture, and on the variant only when one is asked for', () => {
  const want = { os: 'linux', architecture: 'arm' };
  assert.ok(matchesPlatform({ os: 'linux', architecture: 'arm', variant: 'v6' }, want));
  assert.ok(!matchesPlatform({ os: 'linux', architecture: 'arm', variant: 'v6' }, { ...want, variant: 'v7' }));
  assert.ok(matchesPlatform({ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }), 'arm64 is v8 unless it says otherwise');
  assert.ok(!matchesPlatform({ os: 'windows', architecture: 'amd64' }, { os: 'linux', architecture: 'amd64' }));
});
