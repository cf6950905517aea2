// Upload sessions are capped per repository (berth.uploads.maxperrepository, counting the
// sessions already on disk, which survive restarts) and per client address
// (berth.uploads.maxperclient); a session gives its place back when it is committed, cancelled
// or purged, and sessions idle for ten minutes (what interrupted pushes leave) are taken back
// when a cap is reached. Refusals are 429 TOOMANYREQUESTS envelopes that name the setting.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { expectError, headerOf, raw, sha256, v2Root, type RawResponse } from '../support/oci';
import { testRegistryYaml } from '../support/registry-yaml';
import { startTestRegistry, type TestRegistry } from '../support/registry';

const PER_REPO = 100;
const PER_CLIENT = 150;
const OTHER_CLIENT = '127.0.0.2';

describe('upload session limits', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startTestRegistry({
      yaml: (root) => testRegistryYaml(root, { extra: ['berth:', '  uploads:', `    maxperrepository: ${PER_REPO}`, `    maxperclient: ${PER_CLIENT}`] }),
    });
  });
  after(async () => { await reg.stop(); });

  const open = (repo: string, localAddress?: string): Promise<RawResponse> =>
    raw(reg.url, { method: 'POST', path: `/v2/${repo}/blobs/uploads/`, ...(localAddress ? { localAddress } : {}) });
  const openMany = async (repo: string, n: number): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await open(repo);
      assert.equal(r.status, 202, `session ${i + 1} on ${repo}: ${r.status} ${r.body.toString()}`);
      out.push(new URL(headerOf(r, 'location')!, reg.url).pathname);
    }
    return out;
  };
  const sessionsOnDisk = async (repo: string) =>
    (await readdir(join(v2Root(reg.root), 'repositories', repo, '_uploads')).catch(() => [])).length;

  it('refuses the session beyond maxperrepository and frees places on PUT, DELETE and purge', async () => {
    const sessions = await openMany('limits/a', PER_REPO);
    const refused = await open('limits/a');
    const env = await expectError(refused, 429, 'TOOMANYREQUESTS');
    assert.match(env.errors[0]!.message, /berth\.uploads\.maxperrepository/);
    assert.ok(Number(headerOf(refused, 'retry-after')) > 0, 'Retry-After is set');
    assert.equal(await sessionsOnDisk('limits/a'), PER_REPO, 'the refused request left nothing on disk');

    // Another client is refused on this repository too (the cap is the repository's) ...
    await expectError(await open('limits/a', OTHER_CLIENT), 429, 'TOOMANYREQUESTS');
    // ... and still served everywhere else.
    assert.equal((await open('limits/elsewhere', OTHER_CLIENT)).status, 202);

    // A cancelled session gives its place back.
    assert.equal((await raw(reg.url, { method: 'DELETE', path: sessions.pop()! })).status, 204);
    assert.equal((await open('limits/a', OTHER_CLIENT)).status, 202);
    await expectError(await open('limits/a'), 429, 'TOOMANYREQUESTS');

    // So does a committed one.
    const blob = randomBytes(32);
    const put = await raw(reg.url, {
      method: 'PUT', path: `${sessions.pop()!}?digest=${sha256(blob)}`,
      headers: { 'content-type': 'application/octet-stream', 'content-length': blob.length }, body: blob,
    });
    assert.equal(put.status, 201, put.body.toString());
    assert.equal((await open('limits/a')).status, 202);
    await expectError(await open('limits/a'), 429, 'TOOMANYREQUESTS');
  });

  it('counts the sessions on disk after a restart, until they are purged', async () => {
    await reg.restart();
    assert.equal(await sessionsOnDisk('limits/a'), PER_REPO);
    const env = await expectError(await open('limits/a', OTHER_CLIENT), 429, 'TOOMANYREQUESTS');
    assert.match(env.errors[0]!.message, /berth\.uploads\.maxperrepository/);
    // Purging (storage.maintenance.uploadpurging, here with age 0) frees every place.
    await new Promise((r) => setTimeout(r, 1_100)); // startedat has seconds precision
    assert.ok((await reg.registry.store.purgeUploads(0)) >= PER_REPO);
    assert.equal((await open('limits/a', OTHER_CLIENT)).status, 202);
  });

  it('at the cap, sessions idle for over ten minutes (interrupted pushes) are taken back; recent ones are kept', async () => {
    const stale = await openMany('limits/idle', PER_REPO - 1);
    const recent = (await openMany('limits/idle', 1))[0]!;
    await expectError(await open('limits/idle'), 429, 'TOOMANYREQUESTS');
    // As a push interrupted eleven minutes ago leaves them: no byte since (after a restart, the
    // data file's modification time is all that tells).
    const uploads = join(v2Root(reg.root), 'repositories', 'limits', 'idle', '_uploads');
    const elevenMinutesAgo = new Date(Date.now() - 11 * 60_000);
    for (const path of stale) {
      const id = path.split('/').pop()!;
      await utimes(join(uploads, id, 'data'), elevenMinutesAgo, elevenMinutesAgo);
    }
    await reg.restart();
    assert.equal((await open('limits/idle')).status, 202, 'the idle sessions made room');
    assert.equal(await sessionsOnDisk('limits/idle'), 2, 'only the recent session and the new one are left');
    assert.equal((await raw(reg.url, { method: 'GET', path: recent })).status, 204, 'the recent session still works');
    assert.equal((await raw(reg.url, { method: 'GET', path: stale[0]! })).status, 404);
  });

  it('refuses the session beyond maxperclient while other clients are served', async () => {
    // A fresh process: this client has no sessions yet (old ones have no recorded client).
    await reg.restart();
    for (let i = 0; i < PER_CLIENT; i++) {
      const r = await open(`limits/spread-${i % 3}`);
      assert.equal(r.status, 202, `session ${i + 1}: ${r.status} ${r.body.toString()}`);
    }
    const env = await expectError(await open('limits/spread-new'), 429, 'TOOMANYREQUESTS');
    assert.match(env.errors[0]!.message, /berth\.uploads\.maxperclient/);
    assert.equal((await open('limits/spread-new', OTHER_CLIENT)).status, 202, 'another client is served');
    // The single-request upload (POST ?digest=) is a session too.
    const blob = randomBytes(16);
    const mono = await raw(reg.url, {
      method: 'POST', path: `/v2/limits/spread-new/blobs/uploads/?digest=${sha256(blob)}`,
      headers: { 'content-type': 'application/octet-stream', 'content-length': blob.length }, body: blob,
    });
    await expectError(mono, 429, 'TOOMANYREQUESTS');
  });
});
