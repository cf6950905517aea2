// The kept-warm mirror's schedule and state, on a test clock: what is due runs at start and then
// every interval, a failure keeps the cached image and is retried sooner, a 429's Retry-After is
// honoured (by Fetch now too), listed content is pinned while it is fetched and after, and the
// state survives a restart. The fetcher is a scripted function: fetching real images is
// test/integration/proxy-warm.test.ts's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WarmImageConfig } from '../../../../main/config/berth-section';
import { silentLogger } from '../../../../main/lib/logger';
import { RegistryError, manifestUnknown } from '../../../../main/registry/errors';
import { UpstreamUnreachableError } from '../../../../main/registry/proxy/upstream-client';
import type { WarmFetchResult } from '../../../../main/registry/proxy/warm-fetch';
import { failureOf, RETRY_MS, WarmMirror, WarmNotListedError, type Clock } from '../../../../main/registry/proxy/warm-mirror';
import { WARM_STATE_PATH, WarmState } from '../../../../main/registry/proxy/warm-state';
import { InMemoryDriver } from '../../../../main/registry/storage/driver/inmemory';

const D = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
const HOUR = 3600_000;
const A: WarmImageConfig = { name: 'library/a', tag: '1', platforms: [] };
const B: WarmImageConfig = { name: 'library/b', tag: '2', platforms: ['linux/arm64'] };

class TestClock implements Clock {
  t = 1_000_000;
  private timers: Array<{ at: number; fn: () => void }> = [];
  now() { return this.t; }
  after(ms: number, fn: () => void) {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    return () => { this.timers = this.timers.filter((x) => x !== timer); };
  }
  get pending() { return this.timers.map((x) => x.at - this.t); }
  /** Moves time forward, firing due timers in order and letting each run settle. */
  async advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const next = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
    }
    this.t = end;
    await settle();
  }
}

async function settle() {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
}

/** A fetcher whose next outcome per image the test sets; it records each call. */
function scripted() {
  const outcomes = new Map<string, () => WarmFetchResult>();
  const calls: string[] = [];
  const fetch = async (img: WarmImageConfig, onContent: (d: string) => void) => {
    const key = `${img.name}:${img.tag}`;
    calls.push(key);
    const result = outcomes.get(key)!();
    for (const d of result.content) onContent(d);
    return result;
  };
  return { outcomes, calls, fetch };
}

const ok = (digest: string, content: string[], bytes = 100) => () => ({ digest, content, bytes });
const fail = (err: unknown) => () => { throw err; };

async function mirror(images: WarmImageConfig[], intervalMs: number, driver = new InMemoryDriver(), clock = new TestClock()) {
  const state = new WarmState(driver, silentLogger);
  await state.load(images.map((i) => `${i.name}:${i.tag}`));
  const s = scripted();
  const m = new WarmMirror(images, intervalMs, state, s.fetch, silentLogger, clock);
  return { m, clock, driver, ...s };
}

test('never-fetched entries are fetched at start, then every interval; the list shows digest, bytes and time', async () => {
  const { m, clock, calls, outcomes } = await mirror([A, B], 6 * HOUR);
  outcomes.set('library/a:1', ok(D(1), [D(1), D(11)], 1234));
  outcomes.set('library/b:2', ok(D(2), [D(2)]));
  m.start();
  await clock.advance(0);
  assert.deepEqual(calls, ['library/a:1', 'library/b:2']);
  const a = m.list().entries[0]!;
  assert.equal(a.digest, D(1));
  assert.equal(a.bytes, 1234);
  assert.equal(a.lastRefresh, new Date(1_000_000).toISOString());
  assert.deepEqual(m.list().entries[1]!.platforms, ['linux/arm64']);
  await clock.advance(6 * HOUR - 1);
  assert.equal(calls.length, 2, 'nothing before the interval');
  await clock.advance(1);
  assert.deepEqual(calls.slice(2), ['library/a:1', 'library/b:2']);
  await m.stop();
  assert.deepEqual(clock.pending, [], 'stop cancels the schedule');
});

test('a failure keeps the cached image and its pins, records why, and is retried after RETRY_MS; success clears it', async () => {
  const { m, clock, calls, outcomes } = await mirror([A], 6 * HOUR);
  outcomes.set('library/a:1', ok(D(1), [D(1), D(11)], 500));
  m.start();
  await clock.advance(0);
  outcomes.set('library/a:1', fail(new UpstreamUnreachableError('upstream 127.0.0.1:9 unreachable: connect ECONNREFUSED')));
  await m.fetchNow();
  const e = m.list().entries[0]!;
  assert.equal(e.digest, D(1), 'the cached digest stays');
  assert.equal(e.bytes, 500);
  assert.equal(e.lastError?.reason, 'upstream-down');
  assert.match(e.lastError!.message, /ECONNREFUSED/);
  assert.ok(m.isPinned('library/a', D(11)), 'still spared from expiry');
  const before = calls.length;
  await clock.advance(RETRY_MS - 1);
  assert.equal(calls.length, before);
  outcomes.set('library/a:1', ok(D(2), [D(2), D(12)], 600));
  await clock.advance(1);
  assert.equal(calls.length, before + 1, 'retried after RETRY_MS, not after the 6 h interval');
  const after = m.list().entries[0]!;
  assert.equal(after.digest, D(2));
  assert.equal(after.lastError, undefined);
  assert.ok(!m.isPinned('library/a', D(11)), 'the previous image goes back to the TTL');
  assert.ok(m.isPinned('library/a', D(12)) && !m.isPinned('library/other', D(12)), 'pins are per repository');
  await m.stop();
});

test('a 429 Retry-After is honoured by the schedule and by Fetch now', async () => {
  const { m, clock, calls, outcomes } = await mirror([A], 6 * HOUR);
  outcomes.set('library/a:1', fail(new RegistryError('too-many-requests', 'upstream rate limit', undefined, { 'Retry-After': '900' })));
  m.start();
  await clock.advance(0);
  const e = m.list().entries[0]!;
  assert.equal(e.lastError?.reason, 'rate-limited');
  assert.equal(e.lastError?.retryAfter, new Date(1_000_000 + 900_000).toISOString());
  await m.fetchNow('library/a:1');
  assert.equal(calls.length, 1, 'Fetch now does not ask before Retry-After');
  outcomes.set('library/a:1', ok(D(3), [D(3)]));
  await clock.advance(900_000 - 1);
  assert.equal(calls.length, 1);
  await clock.advance(1);
  assert.equal(calls.length, 2);
  assert.equal(m.list().entries[0]!.digest, D(3));
  await m.stop();
});

test('digests are pinned as soon as they are being fetched, before the state names them', async () => {
  const driver = new InMemoryDriver();
  const state = new WarmState(driver, silentLogger);
  await state.load(['library/a:1']);
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const m = new WarmMirror([A], 0, state, async (_img, onContent) => {
    onContent(D(7));
    await gate;
    return { digest: D(7), content: [D(7)], bytes: 1 };
  }, silentLogger, new TestClock());
  const running = m.fetchNow();
  await settle();
  assert.ok(m.isPinned('library/a', D(7)));
  assert.equal(m.list().entries[0]!.refreshing, true);
  release();
  await running;
  assert.ok(m.isPinned('library/a', D(7)));
  assert.equal(m.list().entries[0]!.refreshing, false);
});

test('the state survives a restart; images no longer listed are forgotten; interval 0 only fetches what was never fetched', async () => {
  const driver = new InMemoryDriver();
  const first = await mirror([A, B], 0, driver);
  first.outcomes.set('library/a:1', ok(D(1), [D(1)], 10));
  first.outcomes.set('library/b:2', fail(manifestUnknown('library/b', '2')));
  first.m.start();
  await first.clock.advance(0);
  await first.m.stop();
  const saved = JSON.parse((await driver.getContent(WARM_STATE_PATH)).toString('utf8')) as { entries: Array<{ image: string }> };
  assert.deepEqual(saved.entries.map((e) => e.image), ['library/a:1', 'library/b:2']);

  const again = await mirror([A, { name: 'library/c', tag: '3', platforms: [] }], 0, driver);
  again.outcomes.set('library/c:3', ok(D(3), [D(3)]));
  assert.equal(again.m.list().entries[0]!.digest, D(1), 'read back');
  assert.ok(again.m.isPinned('library/a', D(1)), 'pinned from the first moment, before any refresh');
  again.m.start();
  await again.clock.advance(10 * HOUR);
  assert.deepEqual(again.calls, ['library/c:3'], 'a was fetched before and interval 0 schedules nothing else');
  assert.deepEqual(again.m.list().entries.map((e) => e.image), ['library/a:1', 'library/c:3']);
  await assert.rejects(again.m.fetchNow('library/b:2'), WarmNotListedError);
  await again.m.stop();
});

test('failures are named for the user: upstream down, not found, denied, rate limited with an HTTP-date Retry-After', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');
  assert.equal(failureOf(new UpstreamUnreachableError('x'), now).reason, 'upstream-down');
  assert.equal(failureOf(new RegistryError('unavailable', 'upstream error: GET blob'), now).reason, 'upstream-down');
  assert.deepEqual([failureOf(manifestUnknown('a', '1'), now).reason, failureOf(manifestUnknown('a', '1'), now).message], ['not-found', 'the upstream has no manifest a:1']);
  assert.equal(failureOf(new RegistryError('blob-unknown', undefined, { digest: D(5) }), now).message, `the upstream has no blob ${D(5)}`);
  assert.equal(failureOf(new RegistryError('unauthorized', 'upstream refused the credentials'), now).reason, 'denied');
  assert.equal(failureOf(new Error('disk full'), now).reason, 'failed');
  const limited = failureOf(new RegistryError('too-many-requests', 'x', undefined, { 'Retry-After': 'Sun, 06 Dec 2026 12:30:00 GMT' }), now);
  assert.deepEqual([limited.reason, limited.retryAfter], ['rate-limited', Date.parse('2026-12-06T12:30:00Z')]);
});
