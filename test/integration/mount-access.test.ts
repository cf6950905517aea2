// A cross-repository mount without `from` (POST ?mount=<digest>) links a blob only when the
// client may pull it from some repository that has it; otherwise it falls back to an ordinary
// upload session (202), as the spec allows, and the blob is neither linked nor revealed.
// Berth's roles are global, so two access controllers that can say "push here, but not pull
// there" are used: one that hides `private/*` from everyone but alice (the shape of
// distribution's per-repository token auth), and Berth's own Bearer tokens, which carry only
// the scopes the client asked for.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../main/config/load';
import { silentLogger } from '../../main/lib/logger';
import type { AccessController } from '../../main/registry/auth/access';
import { RegistryError } from '../../main/registry/errors';
import { accessControllerFor, startRegistry } from '../../main/registry/registry';
import { hashPassword } from '../../main/users/htpasswd';
import { descriptorOf, expectError, headerOf, MT, ociManifest, raw, sha256, type RawResponse } from '../support/oci';
import { testRegistryYaml } from '../support/registry-yaml';
import { tempDir } from '../support/cleanup';

type Auth = { authorization: string } | Record<string, never>;
const basic = (user: string): Auth => ({ authorization: `Basic ${Buffer.from(`${user}:${user}-pw`).toString('base64')}` });
const bearer = (token: string): Auth => ({ authorization: `Bearer ${token}` });

async function startAuthRegistry(berthAuth: string[], wrap?: (inner: AccessController) => AccessController) {
  const dir = await tempDir('berth-mount-');
  const htpasswd = join(dir, 'htpasswd');
  await writeFile(htpasswd, (await Promise.all(['alice', 'bob'].map(async (u) => `${u}:${await hashPassword(`${u}-pw`)}`))).join('\n') + '\n');
  const yaml = testRegistryYaml(dir, {
    extra: ['auth:', '  htpasswd:', '    realm: Berth Test', `    path: ${htpasswd}`, 'berth:', '  auth:', ...berthAuth.map((l) => `    ${l}`)],
  });
  const { config } = parseConfig(yaml, { env: {}, source: 'test' });
  const inner = accessControllerFor(config, silentLogger);
  const registry = await startRegistry({ config, log: silentLogger, access: wrap ? wrap(inner) : inner });
  return {
    url: `http://127.0.0.1:${registry.address.port}`,
    registry,
    async stop() { await registry.stop(); await rm(dir, { recursive: true, force: true }); },
  };
}

function client(url: string) {
  return {
    post: (path: string, auth: Auth) => raw(url, { method: 'POST', path, headers: { ...auth } }),
    head: async (repo: string, digest: string, auth: Auth) => (await raw(url, { method: 'HEAD', path: `/v2/${repo}/blobs/${digest}`, headers: { ...auth } })).status,
    async push(repo: string, bytes: Buffer, auth: Auth): Promise<string> {
      const start = await raw(url, { method: 'POST', path: `/v2/${repo}/blobs/uploads/`, headers: { ...auth } });
      assert.equal(start.status, 202, start.body.toString());
      const loc = new URL(headerOf(start, 'location')!, url);
      loc.searchParams.set('digest', sha256(bytes));
      const put = await raw(url, {
        method: 'PUT', path: loc.pathname + loc.search, body: bytes,
        headers: { ...auth, 'content-type': 'application/octet-stream', 'content-length': bytes.length },
      });
      assert.equal(put.status, 201, put.body.toString());
      return sha256(bytes);
    },
    /** Pushes `layer` as an image's only layer (so the repository is in the catalog); returns the layer digest. */
    async pushImage(repo: string, layer: Buffer, auth: Auth): Promise<string> {
      const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
      await this.push(repo, config, auth);
      await this.push(repo, layer, auth);
      const manifest = ociManifest(descriptorOf(MT.ociConfig, config), [descriptorOf(MT.ociLayer, layer)]);
      const put = await raw(url, {
        method: 'PUT', path: `/v2/${repo}/manifests/latest`, body: manifest,
        headers: { ...auth, 'content-type': MT.ociManifest, 'content-length': manifest.length },
      });
      assert.equal(put.status, 201, put.body.toString());
      return sha256(layer);
    },
  };
}

function assertFallback(r: RawResponse, repo: string): void {
  assert.equal(r.status, 202, `expected an upload session, got ${r.status} ${r.body.toString()}`);
  assert.match(headerOf(r, 'location') ?? '', new RegExp(`/v2/${repo}/blobs/uploads/[0-9a-f-]+$`));
}

describe('mount without from', () => {
  describe('with an access controller that hides private/* from all but alice', () => {
    let reg: Awaited<ReturnType<typeof startAuthRegistry>>;
    before(async () => {
      reg = await startAuthRegistry(['roles:', '  alice: admin', '  bob: write'], (inner) => ({
        async authorize(req, accesses) {
          const grant = await inner.authorize(req, accesses);
          const hidden = accesses.find((a) => a.action === 'pull' && a.name?.startsWith('private/') && grant.user !== 'alice');
          if (hidden) throw new RegistryError('denied', `${grant.user ?? 'anonymous'} may not pull ${hidden.name}`);
          return grant;
        },
      }));
    });
    after(async () => { await reg.stop(); });

    it('links only blobs the caller may read, and otherwise opens an upload session', async () => {
      const c = client(reg.url);
      const secret = await c.pushImage('private/app', randomBytes(4096), basic('alice'));

      // bob may push to bob/app but may not read private/app: no link, no hint the blob exists.
      assertFallback(await c.post(`/v2/bob/app/blobs/uploads/?mount=${secret}`, basic('bob')), 'bob/app');
      assert.equal(await c.head('bob/app', secret, basic('bob')), 404, 'the blob was not linked into bob/app');
      // Naming the source is refused outright, as before.
      await expectError(await c.post(`/v2/bob/app/blobs/uploads/?mount=${secret}&from=private/app`, basic('bob')), 403, 'DENIED');

      // alice may read it: the mount links it.
      const mounted = await c.post(`/v2/alice/app/blobs/uploads/?mount=${secret}`, basic('alice'));
      assert.equal(mounted.status, 201, mounted.body.toString());
      assert.equal(headerOf(mounted, 'docker-content-digest'), secret);
      assert.equal(await c.head('alice/app', secret, basic('alice')), 200);
      // Once alice/app (in the catalog: it has an image) links it too, bob may read it there.
      await c.pushImage('alice/app', Buffer.from(''), basic('alice'));
      const viaAlice = await c.post(`/v2/bob/app/blobs/uploads/?mount=${secret}`, basic('bob'));
      assert.equal(viaAlice.status, 201, viaAlice.body.toString());
      assert.equal(await c.head('bob/app', secret, basic('bob')), 200);

      // A blob bob pushed himself elsewhere is his to mount; an unknown digest is an upload.
      const own = await c.pushImage('bob/own', randomBytes(2048), basic('bob'));
      assert.equal((await c.post(`/v2/bob/other/blobs/uploads/?mount=${own}`, basic('bob'))).status, 201);
      assertFallback(await c.post(`/v2/bob/other/blobs/uploads/?mount=${sha256(randomBytes(8))}`, basic('bob')), 'bob/other');
    });
  });

  describe('with anonymous pull and Bearer tokens', () => {
    let reg: Awaited<ReturnType<typeof startAuthRegistry>>;
    before(async () => {
      reg = await startAuthRegistry(['anonymous: pull', 'roles:', '  alice: admin', '  bob: write']);
    });
    after(async () => { await reg.stop(); });

    const token = async (user: string, scopes: string[]): Promise<string> => {
      const q = scopes.map((s) => `scope=${encodeURIComponent(s)}`).join('&');
      const r = await raw(reg.url, { path: `/auth/token?service=berth&${q}`, headers: { ...basic(user) } });
      assert.equal(r.status, 200, r.body.toString());
      return (JSON.parse(r.body.toString()) as { token: string }).token;
    };

    it('mounts only from repositories the token may pull', async () => {
      const c = client(reg.url);
      const base = await c.pushImage('team/base', randomBytes(4096), basic('alice'));

      const narrow = await token('bob', ['repository:bob/app:pull,push']);
      assertFallback(await c.post(`/v2/bob/app/blobs/uploads/?mount=${base}`, bearer(narrow)), 'bob/app');
      assert.equal(await c.head('bob/app', base, bearer(narrow)), 404);

      const wide = await token('bob', ['repository:bob/app:pull,push', 'repository:team/base:pull']);
      const mounted = await c.post(`/v2/bob/app/blobs/uploads/?mount=${base}`, bearer(wide));
      assert.equal(mounted.status, 201, mounted.body.toString());
      assert.equal(await c.head('bob/app', base, bearer(narrow)), 200);

      // Anonymous clients may read but not push: the mount is refused before any lookup.
      const anon = await c.post(`/v2/anon/app/blobs/uploads/?mount=${base}`, {});
      assert.equal(anon.status, 401);
    });
  });
});
