import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integrateOde } from './dormandPrince.js';

test('exponential decay matches e^-t at the output times within the tolerance', () => {
  const times = [0, 0.5, 1, 2, 5];
  const sol = integrateOde((_t, y, d) => { d[0] = -y[0]; }, 0, Float64Array.of(1), times, { relTol: 1e-9, absTol: 1e-12 });
  times.forEach((t, i) => assert.ok(Math.abs(sol.states[i] - Math.exp(-t)) < 1e-9, `t=${t}: ${sol.states[i]}`));
});

test('harmonic oscillator stays on cos/sin over ten periods, including dense output between steps', () => {
  const times = Array.from({ length: 5001 }, (_, i) => (i * 20 * Math.PI) / 5000);
  const sol = integrateOde((_t, y, d) => { d[0] = y[1]; d[1] = -y[0]; }, 0, Float64Array.of(1, 0), times, { relTol: 1e-8, absTol: 1e-10 });
  let worst = 0;
  times.forEach((t, i) => {
    worst = Math.max(worst, Math.abs(sol.states[2 * i] - Math.cos(t)), Math.abs(sol.states[2 * i + 1] + Math.sin(t)));
  });
  assert.ok(worst < 1e-6, `max error ${worst}`);
  // Far fewer steps than output points: the dense output did the sampling.
  assert.ok(sol.acceptedSteps < times.length, `${sol.acceptedSteps} steps`);
});

test('the global error shrinks as the tolerance is tightened (error control works)', () => {
  // y' = cos(t) y, y(0)=1 → y = exp(sin t)
  const errAt = (tol: number): number => {
    const sol = integrateOde((t, y, d) => { d[0] = Math.cos(t) * y[0]; }, 0, Float64Array.of(1), [10], { relTol: tol, absTol: tol });
    return Math.abs(sol.states[0] - Math.exp(Math.sin(10)));
  };
  const e1 = errAt(1e-4), e2 = errAt(1e-8);
  assert.ok(e2 < e1 / 100, `errors ${e1} vs ${e2}`);
  assert.ok(e2 < 1e-6);
});

test('a time-dependent linear system with a known solution is tracked at the requested times', () => {
  // y' = -2 (y - sin t) + cos t  → y = sin t + (y0) e^{-2t}, y0 = 1
  const times = [0.1, 0.7, 3.3];
  const sol = integrateOde((t, y, d) => { d[0] = -2 * (y[0] - Math.sin(t)) + Math.cos(t); }, 0, Float64Array.of(1), times, { relTol: 1e-10, absTol: 1e-12 });
  times.forEach((t, i) => assert.ok(Math.abs(sol.states[i] - (Math.sin(t) + Math.exp(-2 * t))) < 1e-9));
});

test('unsorted output times are rejected with a message naming the index', () => {
  assert.throws(() => integrateOde((_t, y, d) => { d[0] = y[0]; }, 0, Float64Array.of(1), [1, 0.5]), /times\[1\]/);
});
