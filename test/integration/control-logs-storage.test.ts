// The Logs and Storage views' methods through the control service, over a real registry with
// real pushes: storage.usage counts what each repository links (a shared layer in both), lists
// the largest first, and after a repository is deleted says what a GC will free, which the GC
// then frees; logs.recent finds a 404 and 401s by level and repository, honours its limit and
// namespace filter, and holds no credential that went over the wire.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { descriptorOf, expectStatus, json, MT, ociManifest, pushBlob, putManifest } from '../support/oci';
import { startControl, type ControlFixture } from '../support/control';

let f: ControlFixture;
before(async () => { f = await startControl({ accessLog: true }); });
after(async () => { await f.close(); });

const USER = 'alice';
const PASSWORD = 'logs-test-password';
const SHARED = randomBytes(5_000);

/** Pushes a config, `layers` and the shared layer, and a manifest under `tag`; returns the bytes it stored. */
async function pushWithShared(repo: string, tag: string, layers: Buffer[]): Promise<number> {
  const config = json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, nonce: randomBytes(8).toString('hex') });
  for (const blob of [config, ...layers, SHARED]) await pushBlob(f.url(), repo, blob);
  const manifest = ociManifest(descriptorOf(MT.ociConfig, config), [...layers, SHARED].map((l) => descriptorOf(MT.ociLayer, l)));
  await expectStatus(await putManifest(f.url(), repo, tag, manifest, MT.ociManifest), 201);
  return config.length + layers.reduce((n, l) => n + l.length, 0) + SHARED.length + manifest.length;
}

test('storage.usage: largest first, a shared layer counted in each repository, and GC frees what it says', async () => {
  const bigBytes = await pushWithShared('team/big', 'v1', [randomBytes(200_000), randomBytes(150_000)]);
  const smallBytes = await pushWithShared('small', 'v1', [randomBytes(1_000)]);

  const usage = await f.ok('storage.usage', {});
  assert.deepEqual(usage.repositories, [
    { name: 'team/big', bytes: bigBytes, sharedBytes: SHARED.length, blobs: 5, cached: false },
    { name: 'small', bytes: smallBytes, sharedBytes: SHARED.length, blobs: 4, cached: false },
  ]);
  assert.equal(usage.totals.blobBytes, bigBytes + smallBytes - SHARED.length, 'the shared layer is stored once');
  assert.equal(usage.totals.blobs, 8);
  assert.equal(usage.totals.unreferencedBytes, 0);
  assert.ok(usage.disk, 'the filesystem driver reports its disk');
  assert.equal(usage.disk.path, `${f.dir}/data`);
  assert.ok(usage.disk.freeBytes > 0 && usage.disk.freeBytes <= usage.disk.totalBytes, JSON.stringify(usage.disk));

  await f.ok('catalog.deleteRepository', { repository: 'team/big' });
  const deleted = await f.ok('storage.usage', {});
  assert.deepEqual(deleted.repositories.map((r) => [r.name, r.sharedBytes]), [['small', 0]], 'the layer is no longer shared');
  const reclaimable = bigBytes - SHARED.length;
  assert.equal(deleted.totals.unreferencedBytes, reclaimable);

  const dry = await f.ok('catalog.gc', { dryRun: true });
  assert.equal(dry.bytesFreed, reclaimable, 'the dry run frees what storage.usage called unreferenced');
  assert.equal((await f.ok('storage.usage', {})).totals.blobBytes, bigBytes + smallBytes - SHARED.length, 'a dry run deletes nothing');
  const run = await f.ok('catalog.gc', { dryRun: false });
  assert.equal(run.bytesFreed, reclaimable);
  const collected = await f.ok('storage.usage', {});
  assert.equal(collected.totals.blobBytes, smallBytes);
  assert.equal(collected.totals.unreferencedBytes, 0);
  assert.deepEqual(collected.repositories.map((r) => [r.name, r.bytes]), [['small', smallBytes]]);
});

test('logs.recent: requests with their repository, status and duration; a 404 and 401s found by level and repository; no credentials', async () => {
  const pushed = await f.ok('logs.recent', { repository: 'small' });
  assert.equal(pushed.capacity, 1000);
  assert.equal(pushed.requestsRecorded, true);
  const put = pushed.entries.find((e) => e.method === 'PUT' && e.path === '/v2/small/manifests/v1');
  assert.ok(put, JSON.stringify(pushed.entries.slice(0, 5)));
  assert.equal(put.status, 201);
  assert.equal(put.level, 'info');
  assert.equal(put.message, 'request');
  assert.ok(typeof put.durationMs === 'number' && put.durationMs >= 0);
  assert.ok(pushed.entries.every((e) => e.repository === 'small'));
  assert.ok(!pushed.entries.some((e) => e.path?.includes('?')), 'no query strings (upload state)');

  await expectStatus(await fetch(`${f.url()}/v2/small/manifests/missing`), 404);
  const missing = await f.ok('logs.recent', { level: 'warn', repository: 'small' });
  assert.deepEqual(
    (({ level, method, path, status, repository }) => ({ level, method, path, status, repository }))(missing.entries[0]!),
    { level: 'warn', method: 'GET', path: '/v2/small/manifests/missing', status: 404, repository: 'small' },
  );
  assert.ok(missing.entries.every((e) => e.level !== 'info'));
  assert.deepEqual((await f.ok('logs.recent', { level: 'error', repository: 'small' })).entries, [], 'no errors happened');

  await f.ok('users.add', { user: USER, password: PASSWORD, role: 'write' });
  await f.ok('settings.update', { auth: { enabled: true } });
  const basic = (password: string) => `Basic ${Buffer.from(`${USER}:${password}`).toString('base64')}`;
  const tags = `${f.url()}/v2/small/tags/list`;
  await expectStatus(await fetch(tags), 401);
  await expectStatus(await fetch(tags, { headers: { authorization: basic('wrong-password-here') } }), 401);
  await expectStatus(await fetch(tags, { headers: { authorization: basic(PASSWORD) } }), 200);

  const refused = await f.ok('logs.recent', { level: 'warn', repository: 'small', limit: 2 });
  assert.deepEqual(refused.entries.map((e) => [e.method, e.path, e.status]), [['GET', '/v2/small/tags/list', 401], ['GET', '/v2/small/tags/list', 401]]);
  assert.ok(refused.entries[0]!.seq > refused.entries[1]!.seq, 'newest first');

  const all = await f.ok('logs.recent', { limit: 1000 });
  assert.ok(all.entries.some((e) => e.level === 'warn' && /authentication/i.test(e.message)), 'the failed login is logged as a warning');
  const text = JSON.stringify(all);
  for (const secret of [PASSWORD, 'wrong-password-here', Buffer.from(`${USER}:${PASSWORD}`).toString('base64'), Buffer.from(`${USER}:wrong-password-here`).toString('base64')]) {
    assert.ok(!text.includes(secret), `the log holds ${secret}`);
  }
});

test('logs.recent: a namespace matches the repositories under it; bad filters are refused by field', async () => {
  const team = await f.ok('logs.recent', { repository: 'team' });
  assert.ok(team.entries.length > 0);
  assert.ok(team.entries.every((e) => e.repository === 'team/big'), JSON.stringify(team.entries.slice(0, 3)));
  assert.deepEqual((await f.ok('logs.recent', { repository: 'tea' })).entries, [], 'a prefix that is not a namespace matches nothing');

  const level = await f.service.call('logs.recent', { level: 'fatal' });
  assert.equal(!level.ok && level.error.field, 'level');
  const repo = await f.service.call('logs.recent', { repository: '../etc' });
  assert.equal(!repo.ok && repo.error.field, 'repository');
  const limit = await f.service.call('logs.recent', { limit: 5000 });
  assert.equal(!limit.ok && limit.error.field, 'limit');
  const extra = await f.service.call('storage.usage', { all: true });
  assert.equal(!extra.ok && extra.error.code, 'INVALID_ARGUMENT');
});
