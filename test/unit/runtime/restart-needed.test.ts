// Live or restart comes from the setting table: a change to a `live` row never restarts the
// listener and is what a reload adopts; any other change is named by its config key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../main/config/load';
import { restartReasons, withLiveChanges } from '../../../main/runtime/restart-needed';
import { SETTING_ROWS } from '../../../preload/contract/setting-table';
import { testRegistryYaml } from '../../support/registry-yaml';

const base = testRegistryYaml('/tmp/restart-needed');
const load = (extra = '') => parseConfig(`${base}\n${extra}`).config;

/** A config.yml fragment changing each berth row from its default. */
const CHANGES: Record<string, string> = {
  'berth.manifestmaxbytes': 'manifestmaxbytes: 1000',
  'berth.catalogrescan': 'catalogrescan: 5s',
  'berth.auth.anonymous': 'auth: { anonymous: pull }',
  'berth.auth.defaultrole': 'auth: { defaultrole: read }',
  'berth.auth.roles': 'auth: { roles: { alice: write } }',
  'berth.auth.credentialcache': 'auth: { credentialcache: 1m }',
  'berth.auth.bcryptworkers': 'auth: { bcryptworkers: 3 }',
  'berth.auth.trustedproxies': 'auth: { trustedproxies: [10.0.0.1] }',
  'berth.http.headerstimeout': 'http: { headerstimeout: 10s }',
  'berth.http.idletimeout': 'http: { idletimeout: 10s }',
  'berth.http.allowedorigins': 'http: { allowedorigins: [https://ui.example] }',
  'berth.http.allowedhosts': 'http: { allowedhosts: [registry.example] }',
  'berth.http.minbodyrate': 'http: { minbodyrate: 10 }',
  'berth.http.minbodyratewindow': 'http: { minbodyratewindow: 10s }',
  'berth.http.maxconnections': 'http: { maxconnections: 10 }',
  'berth.uploads.maxperrepository': 'uploads: { maxperrepository: 10 }',
  'berth.uploads.maxperclient': 'uploads: { maxperclient: 10 }',
  'berth.proxy.allowpush': 'proxy: { allowpush: false }',
  'berth.proxy.localnamespaces': 'proxy: { localnamespaces: [team] }',
  'berth.proxy.maxsize': 'proxy: { maxsize: 1GB }',
  'berth.proxy.upstreams': 'proxy: { upstreams: [{ prefix: ghcr.io, remoteurl: "https://ghcr.io" }] }',
};

test('each berth row: a live one needs no restart and is adopted by a reload; any other is named', () => {
  const prev = load();
  for (const row of SETTING_ROWS.filter((r) => r.path.startsWith('berth.'))) {
    const change = CHANGES[row.path];
    assert.ok(change, `a change for ${row.path} (a new row needs one here)`);
    const next = load(`berth:\n  ${change}`);
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
