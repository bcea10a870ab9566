// The statistics helpers of the benchmark harness (bench/stats.ts). The benchmarks themselves never
// run in the test suite, and no measured figure is asserted.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNumber, formatSummary, median, summarize } from '../bench/stats';

test('median of odd count', () => {
  assert.equal(median([5, 1, 3]), 3);
});

test('median of even count averages', () => {
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('median skips NaN samples', () => {
  assert.equal(median([Number.NaN, 7, 9, Number.NaN, 8]), 8);
});

test('median without samples throws', () => {
  assert.throws(() => median([Number.NaN]), RangeError);
});

test('summarize gives median and range', () => {
  assert.deepEqual(summarize([2.5, 10, 1, 4]), { median: 3.25, min: 1, max: 10, count: 4 });
});

test('summarize of nothing is null', () => {
  assert.equal(summarize([]), null);
});

test('formatSummary shows median and range', () => {
  assert.equal(formatSummary({ median: 2.345, min: 1.5, max: 12.25, count: 5 }), '2.35 (1.50-12.3)');
  assert.equal(formatSummary({ median: 40, min: 40, max: 40, count: 3 }), '40');
  assert.equal(formatSummary(null), 'n/a');
});

test('formatNumber keeps three digits', () => {
  assert.equal(formatNumber(408123.4), '408123');
  assert.equal(formatNumber(0.01234), '0.012');
  assert.equal(formatNumber(3), '3');
});
