// Browser defences over real HTTP: a page's cross-site write (Origin) and a DNS-rebinding page
// (a foreign Host on a loopback listener) are refused before anything is stored, while the
// requests real registry clients send — no Origin, Host naming this machine — pass.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  EMPTY_JSON, MT, descriptorOf, expectError, headerOf, ociManifest, pushBlob, pushImage, raw, sha256, v2Root,
} from '../support/oci';
import { startTestRegistry, type TestRegistry } from '../support/registry';
import { testRegistryYaml } from '../support/registry-yaml';

const EVIL = 'https://evil.example';

async function repositories(reg: TestRegistry): Promise<string[]> {
  return readdir(`${v2Root(reg.root)}/repositories`).catch(() => []);
}

async function blobs(reg: TestRegistry): Promise<string[]> {
  return readdir(`${v2Root(reg.root)}/blobs/sha256`).catch(() => []);
}

function portOf(reg: TestRegistry): number {
  return Number(new URL(reg.url).port);
}

describe('cross-site writes (Origin)', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry(); });
  after(async () => { await reg.stop(); });

  for (const contentType of [undefined, 'text/plain']) {
    const label = contentType ?? 'no Content-Type';
    it(`refuses a monolithic POST upload from a foreign page (${label}): 403 DENIED naming the setting, nothing stored`, async () => {
      const bytes = randomBytes(1000);
      const res = await raw(reg.url, {
        method: 'POST',
        path: `/v2/evil/${contentType ? 'plain' : 'none'}/blobs/uploads/?digest=${sha256(bytes)}`,
        headers: { Origin: EVIL, 'Content-Length': bytes.length, ...(contentType ? { 'Content-Type': contentType } : {}) },
        body: bytes,
      });
      const env = await expectError(res, 403, 'DENIED');
      assert.match(env.errors[0]!.message, /berth\.http\.allowedorigins/);
      assert.deepEqual(env.errors[0]!.detail, { origin: EVIL });
      assert.deepEqual(await repositories(reg), []);
      assert.deepEqual(await blobs(reg), []);
    });
  }

  it('refuses PATCH, PUT and DELETE from a foreign page; the image is untouched', async () => {
    const img = await pushImage(reg.url, 'team/app', 'v1');
    const location = (await fetch(`${reg.url}/v2/team/app/blobs/uploads/`, { method: 'POST' })).headers.get('location')!;
    const path = new URL(location, reg.url).pathname + new URL(location, reg.url).search;
    const patch = await raw(reg.url, { method: 'PATCH', path, headers: { Origin: EVIL, 'Content-Type': 'text/plain' }, body: Buffer.from('x') });
    await expectError(patch, 403, 'DENIED');

    const config = descriptorOf(MT.ociConfig, EMPTY_JSON);
    await pushBlob(reg.url, 'team/app', EMPTY_JSON);
    const evilManifest = ociManifest(config, []);
    const put = await raw(reg.url, {
      method: 'PUT', path: '/v2/team/app/manifests/v1',
      headers: { Origin: EVIL, 'Content-Type': 'text/plain' }, body: evilManifest,
    });
    await expectError(put, 403, 'DENIED');
    const del = await raw(reg.url, { method: 'DELETE', path: `/v2/team/app/manifests/${img.digest}`, headers: { Origin: 'null' } });
    await expectError(del, 403, 'DENIED');

    const now = await fetch(`${reg.url}/v2/team/app/manifests/v1`, { headers: { Accept: img.mediaType } });
    assert.equal(now.status, 200);
    assert.equal(now.headers.get('docker-content-digest'), img.digest);
  });

  it('lets reads carry an Origin, and sends no CORS header that would let the page read them', async () => {
    const res = await raw(reg.url, { path: '/v2/', headers: { Origin: EVIL } });
    assert.equal(res.status, 200);
    assert.equal(headerOf(res, 'access-control-allow-origin'), undefined);
    assert.equal(headerOf(res, 'access-control-allow-credentials'), undefined);
  });

  it('requests without an Origin (every registry client) push as before', async () => {
    const img = await pushImage(reg.url, 'client/app', 'v1');
    assert.match(img.digest, /^sha256:/);
  });
});

describe('DNS rebinding (Host) on a loopback listener', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry(); });
  after(async () => { await reg.stop(); });

  it('refuses GET, PUT and DELETE whose Host is a foreign name: 403 DENIED naming the setting', async () => {
    const img = await pushImage(reg.url, 'team/app', 'v1');
    const host = `evil.example:${portOf(reg)}`;
    const get = await raw(reg.url, { path: '/v2/team/app/manifests/v1', headers: { Host: host, Accept: img.mediaType } });
    const env = await expectError(get, 403, 'DENIED');
    assert.match(env.errors[0]!.message, /berth\.http\.allowedhosts/);
    assert.deepEqual(env.errors[0]!.detail, { host });
    await expectError(await raw(reg.url, { path: '/v2/_catalog', headers: { Host: host } }), 403, 'DENIED');
    await expectError(await raw(reg.url, { path: '/', headers: { Host: host } }), 403, 'DENIED');

    const put = await raw(reg.url, {
      method: 'PUT', path: '/v2/team/app/manifests/v2',
      headers: { Host: host, 'Content-Type': img.mediaType }, body: img.manifest,
    });
    await expectError(put, 403, 'DENIED');
    const del = await raw(reg.url, { method: 'DELETE', path: `/v2/team/app/manifests/${img.digest}`, headers: { Host: host } });
    await expectError(del, 403, 'DENIED');
    const post = await raw(reg.url, { method: 'POST', path: '/v2/rebound/blobs/uploads/', headers: { Host: 'Evil.Example' } });
    await expectError(post, 403, 'DENIED');

    assert.equal((await fetch(`${reg.url}/v2/team/app/manifests/v2`, { method: 'HEAD', headers: { Accept: img.mediaType } })).status, 404);
    assert.equal((await fetch(`${reg.url}/v2/team/app/manifests/v1`, { method: 'HEAD', headers: { Accept: img.mediaType } })).status, 200);
    assert.deepEqual((await repositories(reg)).sort(), ['team']);
  });

  it('answers the names that mean this machine, with or without the port, and no Host at all', async () => {
    const port = portOf(reg);
    const names = [
      `localhost:${port}`, 'localhost', `127.0.0.1:${port}`, '127.0.0.1', `127.0.1.1:${port}`, `[::1]:${port}`, '[::1]',
      `LOCALHOST:${port}`, `localhost.:${port}`, `registry.localhost:${port}`, `host.docker.internal:${port}`, `host.containers.internal:${port}`,
      // An address literal cannot come from a rebinding page: its origin would be that address.
      `10.0.0.5:${port}`,
    ];
    for (const host of names) {
      const res = await raw(reg.url, { path: '/v2/', headers: { Host: host } });
      assert.equal(res.status, 200, `${host}: ${res.body.toString()}`);
    }
    const pushed = await raw(reg.url, { method: 'POST', path: '/v2/local/blobs/uploads/', headers: { Host: `localhost:${port}` } });
    assert.equal(pushed.status, 202, pushed.body.toString());
  });
});

describe('berth.http.allowedorigins and berth.http.allowedhosts', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startTestRegistry({
      yaml: (root) => testRegistryYaml(root, {
        extra: ['berth:', '  http:', '    allowedorigins: [https://UI.example.com:443]', '    allowedhosts: [registry.example.com:5000]'],
      }),
    });
  });
  after(async () => { await reg.stop(); });

  it('a listed origin may write; another still may not', async () => {
    const bytes = randomBytes(100);
    const ok = await raw(reg.url, {
      method: 'POST', path: `/v2/ui/app/blobs/uploads/?digest=${sha256(bytes)}`,
      headers: { Origin: 'https://ui.example.com', 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length }, body: bytes,
    });
    assert.equal(ok.status, 201, ok.body.toString());
    const other = await raw(reg.url, { method: 'POST', path: '/v2/ui/app/blobs/uploads/', headers: { Origin: 'http://ui.example.com' } });
    await expectError(other, 403, 'DENIED');
  });

  it('a listed host name is answered (any port); an unlisted one is not', async () => {
    assert.equal((await raw(reg.url, { path: '/v2/', headers: { Host: `registry.example.com:${portOf(reg)}` } })).status, 200);
    assert.equal((await raw(reg.url, { path: '/v2/', headers: { Host: 'REGISTRY.example.com' } })).status, 200);
    await expectError(await raw(reg.url, { path: '/v2/', headers: { Host: 'other.example.com' } }), 403, 'DENIED');
  });
});

describe('Host checks on listeners that are not loopback-only', () => {
  it('a listener on every interface answers any Host unless berth.http.allowedhosts lists names', async () => {
    const open = await startTestRegistry({ yaml: (root) => testRegistryYaml(root).replace('addr: 127.0.0.1:0', 'addr: :0') });
    try {
      const url = `http://127.0.0.1:${open.registry.address.port}`;
      assert.equal((await raw(url, { path: '/v2/', headers: { Host: 'registry.lan:5000' } })).status, 200);
      // The Origin rule holds on every listener.
      await expectError(await raw(url, { method: 'POST', path: '/v2/x/blobs/uploads/', headers: { Origin: EVIL } }), 403, 'DENIED');
    } finally {
      await open.stop();
    }
    const listed = await startTestRegistry({
      yaml: (root) => testRegistryYaml(root, { extra: ['berth:', '  http:', '    allowedhosts: registry.lan'] }).replace('addr: 127.0.0.1:0', 'addr: :0'),
    });
    try {
      const url = `http://127.0.0.1:${listed.registry.address.port}`;
      assert.equal((await raw(url, { path: '/v2/', headers: { Host: 'registry.lan:5000' } })).status, 200);
      assert.equal((await raw(url, { path: '/v2/', headers: { Host: `localhost:${listed.registry.address.port}` } })).status, 200);
      await expectError(await raw(url, { path: '/v2/', headers: { Host: 'evil.example' } }), 403, 'DENIED');
    } finally {
      await listed.stop();
    }
  });

  it('allowedhosts "*" turns the Host check off on loopback too', async () => {
    const reg = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { extra: ['berth:', '  http:', '    allowedhosts: ["*"]'] }) });
    try {
      assert.equal((await raw(reg.url, { path: '/v2/', headers: { Host: 'proxied.example.com' } })).status, 200);
    } finally {
      await reg.stop();
    }
  });
});

describe('the debug listener', () => {
  it('refuses a rebinding Host for health and metrics, answers its own names', async () => {
    const reg = await startTestRegistry({
      yaml: (root) => testRegistryYaml(root, { http: ['  debug:', '    addr: 127.0.0.1:0', '    prometheus:', '      enabled: true'] }),
    });
    try {
      const debug = `http://127.0.0.1:${reg.registry.debugAddress!.port}`;
      for (const path of ['/debug/health', '/metrics']) {
        const ok = await raw(debug, { path, headers: { Host: `localhost:${reg.registry.debugAddress!.port}` } });
        assert.equal(ok.status, 200, path);
        const refused = await raw(debug, { path, headers: { Host: 'evil.example' } });
        await expectError(refused, 403, 'DENIED');
        assert.doesNotMatch(refused.body.toString(), /registry_/);
      }
    } finally {
      await reg.stop();
    }
  });
});

describe('config validation', () => {
  it('rejects values that are not an origin or a host name, naming the key', async () => {
    const { parseConfig } = await import('../../main/config/load');
    const base = testRegistryYaml('/tmp/x');
    assert.throws(() => parseConfig(`${base}\nberth:\n  http:\n    allowedorigins: [https://ui.example.com/app]\n`, { env: {} }), /berth\.http\.allowedorigins\.0.*not an origin/s);
    assert.throws(() => parseConfig(`${base}\nberth:\n  http:\n    allowedorigins: ['*']\n`, { env: {} }), /berth\.http\.allowedorigins\.0/);
    assert.throws(() => parseConfig(`${base}\nberth:\n  http:\n    allowedhosts: [ok.example, 'bad host/x']\n`, { env: {} }), /berth\.http\.allowedhosts\.1.*not a host name/s);
    const { config } = parseConfig(`${base}\nberth:\n  http:\n    allowedorigins: [HTTP://UI.Example:80]\n    allowedhosts: [Reg.Example.:5000]\n`, { env: {} });
    assert.deepEqual(config.berth.http.allowedorigins, ['http://ui.example']);
    assert.deepEqual(config.berth.http.allowedhosts, ['reg.example']);
  });
});
