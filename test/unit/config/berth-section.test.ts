// config.yml's berth: section is derived from the setting table: every row is a key the file may
// set, refused with its path when its value has the wrong kind, and loaded with the table's
// default (durations in ms, sizes in bytes) when the file leaves it out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { berthDefault, loadedKey } from '../../../main/config/berth-section';
import { parseDuration } from '../../../main/config/duration';
import { ConfigError, parseConfig } from '../../../main/config/load';
import { SETTING_ROWS, type Kind, type SettingRow } from '../../../preload/contract/setting-table';
import { testRegistryYaml } from '../../support/registry-yaml';

const BERTH_ROWS: readonly SettingRow[] = SETTING_ROWS.filter((r) => r.path.startsWith('berth.'));
const base = testRegistryYaml('/tmp/berth-section');

function withBerth(path: string, value: unknown): string {
  const keys = path.split('.').slice(1);
  const tree = keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
  return `${base}\n${stringify({ berth: tree })}`;
}

function loadedAt(config: unknown, path: string, key: string): unknown {
  const parts = path.split('.').slice(0, -1);
  const section = parts.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], config);
  return (section as Record<string, unknown>)[key];
}

/** A value of the wrong kind for each kind. */
function wrongValue(kind: Kind): unknown {
  switch (kind.type) {
    case 'boolean': return 'maybe';
    case 'integer': return kind.min - 1;
    case 'duration': return '-5m';
    case 'size': return 'lots';
    case 'choice': return 'neither';
    case 'list': return [{ not: 'text' }];
    case 'roles': return { alice: 'superuser' };
    case 'upstreams': return [{ prefix: 'ghcr.io:443', remoteurl: 'https://ghcr.io' }];
    case 'warm-images': return ['library/alpine'];
    default: return { not: 'text' };
  }
}

test('a file without berth: loads every row with its table default', () => {
  const { config } = parseConfig(base);
  for (const row of BERTH_ROWS) {
    const want = row.value.type === 'duration' ? parseDuration(row.default as string) : row.default;
    assert.deepEqual(loadedAt(config, row.path, loadedKey(row)), want, row.path);
    assert.deepEqual(berthDefault(row.path as Parameters<typeof berthDefault>[0]), want, row.path);
  }
});

test('every berth row refuses a value of the wrong kind, naming its path', () => {
  for (const row of BERTH_ROWS) {
    assert.throws(() => parseConfig(withBerth(row.path, wrongValue(row.value))), (err: unknown) => {
      assert.ok(err instanceof ConfigError, row.path);
      assert.ok(err.problems.some((p) => p.path.startsWith(row.path)), `${row.path}: ${err.message}`);
      return true;
    });
  }
});

test('durations load in ms under <key>Ms and sizes in bytes under <key>Bytes; a typo is named with a suggestion', () => {
  const { config } = parseConfig(withBerth('berth.auth.credentialcache', '90s'));
  assert.equal(config.berth.auth.credentialcacheMs, 90_000);
  assert.equal(parseConfig(withBerth('berth.proxy.maxsize', '2GiB')).config.berth.proxy.maxsizeBytes, 2 * 1024 ** 3);
  assert.throws(() => parseConfig(withBerth('berth.auth.credentialcach', '5m')), /credentialcache/);
});

test('berth.proxy.warm.images: name:tag or { image, platforms }, each checked and named by its index', () => {
  const images = [
    'library/alpine:3.20',
    { image: 'ghcr.io/owner/app:v1.2', platforms: ['linux/amd64', 'linux/arm/v7', 'linux/amd64'] },
  ];
  const { config } = parseConfig(withBerth('berth.proxy.warm.images', images));
  assert.deepEqual(config.berth.proxy.warm.images, [
    { name: 'library/alpine', tag: '3.20', platforms: [] },
    { name: 'ghcr.io/owner/app', tag: 'v1.2', platforms: ['linux/amd64', 'linux/arm/v7'] },
  ]);
  const refused = (value: unknown, path: string, why: RegExp) => assert.throws(() => parseConfig(withBerth('berth.proxy.warm.images', value)), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.ok(err.problems.some((p) => p.path === path && why.test(p.message)), `${path}: ${err.message}`);
    return true;
  });
  refused(['library/alpine'], 'berth.proxy.warm.images.0', /not an image name:tag/);
  refused(['alpine@sha256:' + 'a'.repeat(64)], 'berth.proxy.warm.images.0', /not an image name:tag/);
  refused(['ok:1', 'Upper/Case:1'], 'berth.proxy.warm.images.1', /not an image name:tag/);
  refused([{ image: 'a:1', platforms: ['linux'] }], 'berth.proxy.warm.images.0.platforms', /not a platform/);
  refused(['a:1', { image: 'a:1' }], 'berth.proxy.warm.images.1', /listed twice/);
  assert.equal(parseConfig(withBerth('berth.proxy.warm.interval', '30m')).config.berth.proxy.warm.intervalMs, 30 * 60_000);
});
