// The Logs view's ring: bounded (the oldest records go first, memory stays put however much is
// logged), newest first, recorded below the output's level, a request's level from its status,
// and never a secret, whether passed as a field or written into a message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LogRing, recordingLogger } from '../../../main/lib/log-ring';
import { createLogger, type LogFields } from '../../../main/lib/logger';

// A full collection before each heap reading, without asking the runner for --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('LogRing', () => {
  it('keeps the last `capacity` records, newest first, with increasing sequence numbers', () => {
    const ring = new LogRing(1000);
    for (let i = 0; i < 2500; i++) ring.add('info', `line ${i}`);
    const recent = ring.recent();
    assert.equal(recent.length, 1000);
    assert.equal(recent[0]!.message, 'line 2499');
    assert.equal(recent[999]!.message, 'line 1500');
    assert.equal(recent[0]!.seq, 2500);
    assert.ok(recent.every((e, i) => i === 0 || e.seq === recent[i - 1]!.seq - 1));
  });

  it('holds the same memory however much is logged', () => {
    const ring = new LogRing(1000);
    // Each record carries ~400 unique bytes: 100,000 of them kept would be ~40 MB of heap.
    const fill = (from: number, n: number) => {
      for (let i = from; i < from + n; i++) ring.add('warn', `${i} ${'x'.repeat(400)}`, { repository: `r${i % 50}`, status: 404 });
    };
    fill(0, 2000);
    gc();
    const before = process.memoryUsage().heapUsed;
    fill(2000, 100_000);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.equal(ring.recent().length, 1000);
    assert.ok(grown < 4 * 1024 * 1024, `heap grew by ${grown} bytes`);
  });

  it('starts empty, refuses a useless capacity, and leaves debug records out', () => {
    const ring = new LogRing(3);
    assert.deepEqual(ring.recent(), []);
    ring.add('debug', 'noise');
    assert.deepEqual(ring.recent(), []);
    assert.throws(() => new LogRing(0), RangeError);
  });

  it('gives a request the level of its status: 5xx error, 4xx warn, else as logged', () => {
    const ring = new LogRing(10);
    ring.add('info', 'request', { status: 200 });
    ring.add('info', 'request', { status: 404 });
    ring.add('info', 'request', { status: 503 });
    ring.add('error', 'request failed', { status: 404 });
    assert.deepEqual(ring.recent().map((e) => e.level), ['error', 'error', 'warn', 'info']);
  });

  it('keeps the known fields only, paths without their query, an error\'s first line', () => {
    const ring = new LogRing(10);
    ring.add('info', 'request', {
      method: 'PUT', path: '/v2/team/app/blobs/uploads/abc?_state=opaque&digest=sha256:1', status: 201, durationMs: 12.345,
      repository: 'team/app', remote: '10.1.2.3', agent: 'docker/27', extra: { nested: true },
    });
    ring.add('error', 'request failed', { method: 'GET', url: '/v2/x/manifests/y?n=1', error: new Error('disk on fire\n    at somewhere') });
    const [failed, put] = ring.recent();
    assert.deepEqual(put, {
      seq: 1, time: put!.time, level: 'info', message: 'request', method: 'PUT', path: '/v2/team/app/blobs/uploads/abc', status: 201,
      durationMs: 12.3, repository: 'team/app',
    });
    assert.equal(failed!.path, '/v2/x/manifests/y');
    assert.equal(failed!.detail, 'disk on fire');
  });

  it('records no credentials, whether given as fields or written into text', () => {
    const secrets = ['hunter2-password', 'dG9rZW4tc2VjcmV0', 'eyJhbGciOiJ.bearer.token', 'upstream-pass'];
    const ring = new LogRing(50);
    const log = recordingLogger(createLogger({ level: 'error', format: 'json', write: () => {} }), ring);
    const fields: LogFields = {
      authorization: `Basic ${secrets[1]}`, password: secrets[0], token: secrets[2], headers: { authorization: `Bearer ${secrets[2]}` },
    };
    log.warn('authentication failed', { user: 'alice', ...fields });
    log.warn(`upstream https://me:${secrets[3]}@registry.example/v2/ refused`);
    log.error(`bad header Authorization: Basic ${secrets[1]}`);
    log.error('token fetch failed', { error: `GET /token?password=${secrets[0]}&scope=x: 401` });
    log.info('request', { method: 'GET', path: `/auth/token?account=alice&password=${secrets[0]}`, status: 200 });
    log.child({ password: secrets[0] }).warn(`password=${secrets[0]} in a message`);
    const text = JSON.stringify(ring.recent());
    assert.equal(ring.recent().length, 6);
    for (const s of secrets) assert.ok(!text.includes(s), `${s} leaked: ${text}`);
    assert.match(text, /Authorization: \[redacted\]/);
    assert.match(text, /https:\/\/\[redacted\]@registry\.example/);
  });
});

describe('recordingLogger', () => {
  it('records below the output\'s level and still writes what the output\'s level allows', () => {
    const ring = new LogRing(10);
    const lines: string[] = [];
    const log = recordingLogger(createLogger({ level: 'warn', format: 'text', write: (l) => lines.push(l) }), ring);
    log.info('request', { method: 'GET', path: '/v2/', status: 401 });
    log.child({ repository: 'a/b' }).warn('slow disk');
    assert.equal(lines.length, 1, 'info stays out of a warn-level output');
    assert.match(lines[0]!, /level=warn msg="slow disk" repository=a\/b/);
    assert.deepEqual(ring.recent().map((e) => [e.message, e.level, e.repository]), [['slow disk', 'warn', 'a/b'], ['request', 'warn', undefined]]);
  });
});
