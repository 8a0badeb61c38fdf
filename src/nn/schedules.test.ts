/** Learning-rate schedules and gradient clipping against their formulas. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constantSchedule, cosineSchedule, stepSchedule, warmupSchedule } from './schedules.js';
import { clipGradNorm, l2Norm } from './clip.js';

test('constant, step, cosine and warm-up schedules give the rates of their formulas', () => {
  assert.equal(constantSchedule(0.1)(1234), 0.1);
  const s = stepSchedule(1, { stepSize: 10, gamma: 0.5 });
  assert.deepEqual([s(0), s(9), s(10), s(25)], [1, 1, 0.5, 0.25]);
  const c = cosineSchedule(1, { totalSteps: 100, minLr: 0.1 });
  assert.equal(c(0), 1);
  assert.ok(Math.abs(c(50) - 0.55) < 1e-15);
  assert.ok(Math.abs(c(100) - 0.1) < 1e-15);
  assert.equal(c(500), c(100));
  const w = warmupSchedule(constantSchedule(0.01), { steps: 4 });
  assert.deepEqual([w(0), w(1), w(3), w(4), w(100)].map((v) => +v.toFixed(12)), [0.0025, 0.005, 0.01, 0.01, 0.01]);
  assert.throws(() => cosineSchedule(1, { totalSteps: 0 }), /cosineSchedule: totalSteps must be a positive finite number, got 0/);
});

test('clipGradNorm scales a long gradient to the bound, leaves a short one alone, and returns the norm before', () => {
  const g = Float64Array.of(3, 4);
  assert.equal(clipGradNorm(g, 1), 5);
  assert.ok(Math.abs(l2Norm(g) - 1) < 1e-15);
  assert.deepEqual([...g].map((v) => +v.toFixed(15)), [0.6, 0.8]);
  const short = Float64Array.of(0.1, 0.2);
  clipGradNorm(short, 1);
  assert.deepEqual([...short], [0.1, 0.2]);
  assert.throws(() => clipGradNorm(g, 0), /clipGradNorm: maxNorm must be > 0, got 0/);
});
