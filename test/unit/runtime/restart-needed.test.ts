// Live or restart comes from the setting table: a change to a `live` row never restarts the
// listener and is what a reload adopts; any other change is named by its config key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../main/config/load';
import { restartReasons, withLiveChanges } from '../../../main/runtime/restart-needed';
import { stringify } from 'yaml';
import { SETTING_ROWS, type Kind, type ListItem, type SettingRow } from '../../../preload/contract/setting-table';
import { testRegistryYaml } from '../../support/registry-yaml';

const base = testRegistryYaml('/tmp/restart-needed');
const ROWS: readonly SettingRow[] = SETTING_ROWS;
const load = (extra = '') => parseConfig(`${base}\n${extra}`).config;

/** A value other than the row's default, of the row's kind, so a new row needs no edit here. */
function changed(row: SettingRow): unknown {
  const kind: Kind = row.value;
  switch (kind.type) {
    case 'boolean': return !row.default;
    case 'integer': return kind.max === (row.default as number) ? kind.min : (row.default as number) + 1;
    case 'duration': return '7s';
    case 'size': return '1GB';
    case 'choice': return kind.values.find((v) => v !== row.default);
    case 'list': return [SAMPLE_ITEMS[kind.item]];
    case 'roles': return { alice: 'write' };
    case 'upstreams': return [{ prefix: 'ghcr.io', remoteurl: 'https://ghcr.io' }];
    case 'warm-images': return ['library/alpine:3.20'];
    default: return 'changed';
  }
}

const SAMPLE_ITEMS: Record<ListItem, string> = { repository: 'team', origin: 'https://ui.example', host: 'registry.example', 'address-block': '10.0.0.1' };

/** config.yml with one berth row set. */
function withRow(row: SettingRow, value: unknown): string {
  const tree = row.path.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
  return stringify(tree);
}

test('each berth row: a live one needs no restart and is adopted by a reload; any other is named', () => {
  const prev = load();
  for (const row of ROWS.filter((r) => r.path.startsWith('berth.'))) {
    const next = load(withRow(row, changed(row)));
    const reasons = restartReasons(prev, next);
    if (row.apply === 'live') {
      assert.deepEqual(reasons, [], row.path);
      assert.deepEqual(withLiveChanges(prev, next), next, `${row.path}: a reload adopts it`);
    } else {
      assert.deepEqual(reasons, [row.path], row.path);
      assert.deepEqual(withLiveChanges(prev, next), prev, `${row.path}: a reload leaves it for the restart`);
    }
  }
});

test('distribution keys are named as config.yml spells them', () => {
  const prev = load();
  assert.deepEqual(restartReasons(prev, load('proxy:\n  remoteurl: https://registry-1.docker.io\n  ttl: 1h')), ['proxy']);
  const proxied = load('proxy:\n  remoteurl: https://registry-1.docker.io');
  assert.deepEqual(restartReasons(proxied, load('proxy:\n  remoteurl: https://registry-1.docker.io\n  ttl: 1h')), ['proxy.ttl']);
  assert.deepEqual(restartReasons(prev, prev), []);
});
