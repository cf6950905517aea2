// --s3's two Berth nodes: roundRobin must send each operation wholly to one node (a push's POST
// and the PUT to the Location it answered) while successive operations alternate nodes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeTarget, makeTarget, roundRobin, type Target } from '../../../bench/http';
import { runLoad } from '../../../bench/load';
import { pushMonolithic } from '../../../bench/registry-client';
import { sha256 } from '../../support/oci';

interface FakeNode { server: Server; url: string; posts: string[]; puts: string[] }

/** Just enough of a registry for pushMonolithic; records which upload ids it began and finished. */
async function fakeNode(label: string): Promise<FakeNode> {
  const node: FakeNode = { server: createServer(), url: '', posts: [], puts: [] };
  let next = 0;
  node.server.on('request', (req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'POST') {
        const id = `${label}-${next++}`;
        node.posts.push(id);
        // Absolute, naming this node, as distribution answers.
        res.writeHead(202, { location: `${node.url}/v2/r/blobs/uploads/${id}`, 'content-length': '0' }).end();
      } else if (req.method === 'PUT') {
        node.puts.push(url.pathname.split('/').pop()!);
        res.writeHead(201, { 'docker-content-digest': url.searchParams.get('digest') ?? '', 'content-length': '0' }).end();
      } else {
        res.writeHead(405, { 'content-length': '0' }).end();
      }
    });
  });
  await new Promise<void>((resolve) => node.server.listen(0, '127.0.0.1', resolve));
  node.url = `http://127.0.0.1:${(node.server.address() as AddressInfo).port}`;
  return node;
}

describe('bench roundRobin', () => {
  let a: FakeNode, b: FakeNode;
  let targets: Target[];
  before(async () => {
    [a, b] = await Promise.all([fakeNode('a'), fakeNode('b')]);
    targets = [makeTarget('a', a.url), makeTarget('b', b.url)];
  });
  after(async () => {
    targets.forEach(closeTarget);
    await Promise.all([a, b].map((n) => new Promise((resolve) => n.server.close(resolve))));
  });

  it('alternates by operation number', () => {
    const pick = roundRobin(targets);
    assert.deepEqual([0, 1, 2, 3, 1_000_000_000, 1_000_000_001].map((seq) => pick(seq).name), ['a', 'b', 'a', 'b', 'a', 'b']);
    assert.equal(roundRobin(targets.slice(0, 1))(7).name, 'a');
    assert.throws(() => roundRobin([]), /at least one node/);
  });

  it('sends each push wholly to one node and spreads the pushes evenly', async () => {
    const pick = roundRobin(targets);
    const body = Buffer.from('layer');
    const res = await runLoad(async (seq) => {
      await pushMonolithic(pick(seq), 'r', [body], sha256(body));
      return body.length;
    }, { concurrency: 4, durationMs: 10_000, maxOps: 10 });
    assert.equal(res.ops, 10);
    for (const n of [a, b]) {
      assert.equal(n.posts.length, 5, 'half of the pushes begin on each node');
      assert.deepEqual([...n.puts].sort(), [...n.posts].sort(), 'every upload a node began is finished on that node');
    }
  });
});
