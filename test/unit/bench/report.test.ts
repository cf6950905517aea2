// The bench's --rounds summary: each figure is the median over the rounds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { medianResult, type ServerResult } from '../../../bench/report';

function result(throughput: number, p99Ms: number, ttfb: number): ServerResult {
  return {
    throughput, unit: 'MB/s', ops: 10, bytes: 1e9, elapsedS: 1, p50Ms: 1, p90Ms: 2, p99Ms, maxMs: p99Ms, meanMs: 1,
    serverCpuS: 1, serverCpuSPerGB: 1, peakRssMiB: 100, clientCpuS: 0.1, clientCpuPct: 10, clientProcesses: 1,
    otherCpuPct: 0, kernelThreadCpuS: 0, extra: { values: { ttfb }, ratios: [['x', 'ttfb', 'ttfb']] },
  };
}

describe('bench rounds', () => {
  it('takes the median of every figure separately, extra values included', () => {
    const m = medianResult([result(100, 50, 9), result(300, 10, 7), result(200, 90, 8)]);
    assert.equal(m.throughput, 200);
    assert.equal(m.p99Ms, 50);
    assert.equal(m.extra?.values.ttfb, 8);
    assert.deepEqual(m.extra?.ratios, [['x', 'ttfb', 'ttfb']]);
    assert.equal(m.unit, 'MB/s');
  });

  it('averages the middle two of an even number of rounds', () => {
    assert.equal(medianResult([result(100, 1, 1), result(200, 3, 1)]).p99Ms, 2);
  });
});
