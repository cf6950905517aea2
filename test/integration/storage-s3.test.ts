// The s3 driver against a real S3 server (a throwaway Ceph RADOS Gateway): the conformance
// suite every driver passes, plus what only object storage makes hard: appends that must carry
// earlier bytes into a new multipart upload (below and above S3's 5 MiB part minimum), large
// moves copied in parts, the exact keys registry:3 writes, and a writer that fails mid-way.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { S3StorageConfig } from '../../main/config/types';
import { S3Driver } from '../../main/registry/storage/driver/s3';
import { describeStorageDriver } from '../conformance/storage-driver.suite';
import { startCephGateway, type CephGateway } from '../support/ceph-gateway';
import { runCleanups } from '../support/cleanup';

const MiB = 1024 * 1024;
const BUCKET = 'berth-driver';

let gateway: Promise<CephGateway> | undefined;
/** One cluster for the whole file, started by whichever test needs it first. */
function cluster(): Promise<CephGateway> {
  gateway ??= startCephGateway().then(async (g) => {
    await g.createBucket(BUCKET);
    return g;
  });
  return gateway;
}
after(runCleanups);

let roots = 0;
export function s3Config(g: CephGateway, over: Partial<S3StorageConfig> = {}): S3StorageConfig {
  return {
    region: g.region, regionendpoint: g.endpoint, bucket: BUCKET, rootdirectory: `/t${process.pid}-${roots++}`,
    accesskey: g.accessKey, secretkey: g.secretKey, sessiontoken: undefined,
    forcepathstyle: true, encrypt: false, keyid: undefined, secure: false, skipverify: false,
    chunksize: 5 * MiB, multipartcopychunksize: 5 * MiB, multipartcopymaxconcurrency: 4, multipartcopythresholdsize: 8 * MiB,
    storageclass: 'STANDARD', objectacl: 'private', useragent: undefined, usedualstack: false, accelerate: false,
    ...over,
  };
}

async function freshDriver(over: Partial<S3StorageConfig> = {}): Promise<{ driver: S3Driver; config: S3StorageConfig; cleanup: () => Promise<void> }> {
  const g = await cluster();
  const config = s3Config(g, over);
  const driver = new S3Driver(config);
  await driver.check();
  return {
    driver, config,
    cleanup: async () => {
      await driver.delete('/').catch(() => undefined);
      await driver.close();
    },
  };
}

describeStorageDriver('s3 (Ceph RADOS Gateway)', freshDriver);

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('s3 driver on object storage', () => {
  let d: Awaited<ReturnType<typeof freshDriver>>;
  let s3: S3Client;
  before(async () => {
    d = await freshDriver();
    const g = await cluster();
    s3 = new S3Client(g.clientConfig());
  });
  after(async () => {
    s3?.destroy();
    await d?.cleanup();
  });

  /** Appends `pieces` through a new writer per piece, as an upload's PATCHes do. */
  async function appendPieces(path: string, pieces: Buffer[]): Promise<void> {
    const first = await d.driver.writer(path, { append: false });
    await first.close();
    for (const p of pieces) {
      const w = await d.driver.writer(path, { append: true });
      // In odd-sized writes, so part boundaries never line up with them.
      for (let i = 0; i < p.length; i += 777_777) await w.write(p.subarray(i, i + 777_777));
      await w.close();
    }
  }

  it('appends carry earlier content below and above the 5 MiB part minimum', async () => {
    // 1 MiB (read back into the first part), then 7 MiB (object ≥ 5 MiB: copied server-side as
    // part 1), then 3 MiB, then 12 MiB (more than two parts of 5 MiB in one writer).
    const pieces = [randomBytes(1 * MiB), randomBytes(7 * MiB), randomBytes(3 * MiB), randomBytes(12 * MiB)];
    await appendPieces('/up/data', pieces);
    const all = Buffer.concat(pieces);
    const info = await d.driver.stat('/up/data');
    assert.equal(info.size, all.length);
    assert.equal(sha(await readAll(await d.driver.reader('/up/data'))), sha(all));
    const tail = await readAll(await d.driver.reader('/up/data', { start: 8 * MiB + 5, end: 8 * MiB + 5 + 2 * MiB - 1 }));
    assert.ok(tail.equals(all.subarray(8 * MiB + 5, 10 * MiB + 5)));
  });

  it('leaves no multipart upload behind after a close, a commit or a cancel', async () => {
    for (const end of ['close', 'commit', 'cancel'] as const) {
      const w = await d.driver.writer(`/mp/${end}`, { append: false });
      await w.write(randomBytes(11 * MiB));
      await w[end]();
    }
    const r = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: d.config.rootdirectory.slice(1) }));
    assert.deepEqual(r.Uploads ?? [], []);
    await assert.rejects(d.driver.stat('/mp/cancel'), /path not found/);
    assert.equal((await d.driver.stat('/mp/commit')).size, 11 * MiB);
  });

  it('a writer dropped mid-way leaves the object as the last close left it, and delete removes its parts', async () => {
    const before = randomBytes(6 * MiB);
    await appendPieces('/killed/data', [before]);
    const w = await d.driver.writer('/killed/data', { append: true });
    await w.write(randomBytes(12 * MiB)); // two parts sent, never completed
    // No close: the process "died". Readers still see the earlier content.
    assert.equal(sha(await readAll(await d.driver.reader('/killed/data'))), sha(before));
    const prefix = `${d.config.rootdirectory.slice(1)}/killed/`;
    const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
    assert.equal(open.Uploads?.length, 1);
    await d.driver.delete('/killed');
    const left = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
    assert.deepEqual(left.Uploads ?? [], []);
  });

  it('moves a large object by a copy in parts, byte for byte, and removes the source', async () => {
    const big = randomBytes(21 * MiB + 3);
    await d.driver.putContent('/big/src', big);
    await d.driver.move('/big/src', '/big/dst');
    assert.equal(sha(await d.driver.getContent('/big/dst')), sha(big));
    await assert.rejects(d.driver.stat('/big/src'), /path not found/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${d.config.rootdirectory.slice(1)}/big/dst` }));
    assert.equal(head.ContentType, 'application/octet-stream');
  });

  it('stores each path under rootdirectory at the key registry:3 uses', async () => {
    const path = '/docker/registry/v2/repositories/team/app/_manifests/tags/v1/current/link';
    await d.driver.putContent(path, Buffer.from('sha256:' + 'a'.repeat(64)));
    const r = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: d.config.rootdirectory.slice(1) + '/docker/' }));
    assert.deepEqual(r.Contents?.map((o) => o.Key), [`${d.config.rootdirectory.slice(1)}${path}`]);
  });

  it('a listing longer than one page of the server comes back whole', async () => {
    const names = Array.from({ length: 1203 }, (_, i) => `r${String(i).padStart(4, '0')}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(names.slice(i, i + 50).map((n) => d.driver.putContent(`/many/${n}/link`, Buffer.from(n))));
    }
    assert.deepEqual((await d.driver.list('/many')).sort(), names);
    await d.driver.delete('/many');
    await assert.rejects(d.driver.list('/many'), /path not found/);
  });

  it('a key that only starts like a deleted folder survives the delete', async () => {
    await d.driver.putContent('/sib/a/x', Buffer.from('1'));
    await d.driver.putContent('/sib/a-b', Buffer.from('2'));
    await d.driver.putContent('/sib/a', Buffer.from('3'));
    await d.driver.delete('/sib/a');
    assert.deepEqual(await d.driver.list('/sib'), ['a-b']);
  });
});

describe('s3 driver credentials', () => {
  it("without keys in the config, uses the SDK's standard chain (here: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)", async () => {
    const g = await cluster();
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = g.accessKey;
    process.env.AWS_SECRET_ACCESS_KEY = g.secretKey;
    const driver = new S3Driver(s3Config(g, { accesskey: undefined, secretkey: undefined }));
    try {
      await driver.check();
      await driver.putContent('/from-env', Buffer.from('ok'));
      assert.equal((await driver.getContent('/from-env')).toString(), 'ok');
      await driver.delete('/');
    } finally {
      await driver.close();
      for (const [k, v] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('s3 driver start-up check', () => {
  it('names the cause: wrong keys, a missing bucket, an endpoint that does not answer', async () => {
    const g = await cluster();
    const cases: Array<[Partial<S3StorageConfig>, RegExp]> = [
      [{ accesskey: 'NOSUCHKEY0000000000' }, /access key is not known/],
      [{ secretkey: 'wrong-secret' }, /secret key does not match/],
      [{ bucket: 'no-such-bucket' }, /bucket does not exist/],
      [{ regionendpoint: 'http://127.0.0.1:9' }, /endpoint cannot be reached/],
    ];
    for (const [over, message] of cases) {
      const driver = new S3Driver(s3Config(g, over));
      try {
        await assert.rejects(driver.check(), (err: Error) => {
          assert.match(err.message, /^storage\.s3: cannot use bucket "[^"]+" at http:\/\/127\.0\.0\.1:\d+: /);
          assert.match(err.message, message);
          return true;
        });
      } finally {
        await driver.close();
      }
    }
  });
});
