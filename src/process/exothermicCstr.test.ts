import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exothermicCstrResidual, exothermicCstrSteadyStates } from './exothermicCstr.js';

/** Eigenvalues' trace and determinant of the 2×2 Jacobian by central differences. */
function stability(cA: number, T: number): { trace: number; det: number } {
  const h = 1e-6;
  const d = (i: 0 | 1, j: 0 | 1): number => {
    const plus = j === 0 ? exothermicCstrResidual(cA + h, T) : exothermicCstrResidual(cA, T + h * 100);
    const minus = j === 0 ? exothermicCstrResidual(cA - h, T) : exothermicCstrResidual(cA, T - h * 100);
    return (plus[i] - minus[i]) / (2 * (j === 0 ? h : h * 100));
  };
  const a = d(0, 0), b = d(0, 1), c = d(1, 0), e = d(1, 1);
  return { trace: a + e, det: a * e - b * c };
}

test('at Tc = 300 K there are exactly three steady states, each a root to 1e-10', () => {
  const states = exothermicCstrSteadyStates(300);
  assert.equal(states.length, 3);
  for (const s of states) {
    const [r1, r2] = exothermicCstrResidual(s.cA, s.temperatureK);
    assert.ok(Math.abs(r1) < 1e-10 && Math.abs(r2) < 1e-10);
  }
  // The textbook operating point cA = 0.5 mol/L, T = 350 K is the middle one.
  assert.ok(Math.abs(states[1].cA - 0.5) < 1e-3 && Math.abs(states[1].temperatureK - 350) < 0.01);
});

test('the low steady state is stable, the middle one a saddle and the ignited one an unstable focus', () => {
  // With these constants the ignited state has complex eigenvalues with positive real part, so
  // the ignited reactor oscillates on a limit cycle rather than settling (why a steady-state
  // solver, not time integration, is needed to find it).
  const [low, mid, high] = exothermicCstrSteadyStates(300).map((s) => stability(s.cA, s.temperatureK));
  assert.ok(low.det > 0 && low.trace < 0);
  assert.ok(mid.det < 0);
  assert.ok(high.det > 0 && high.trace > 0 && high.trace ** 2 < 4 * high.det);
});

test('a cold coolant leaves only the extinguished steady state', () => {
  const states = exothermicCstrSteadyStates(280);
  assert.equal(states.length, 1);
  assert.ok(states[0].cA > 0.9);
});
