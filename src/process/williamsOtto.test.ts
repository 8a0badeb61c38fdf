import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nominalWilliamsOtto, williamsOttoBalances, williamsOttoReducedSystem, williamsOttoSteadyState } from './williamsOtto.js';

test('mass fractions sum to one and every component balance closes to 1e-9 of the throughput over the whole decision box', () => {
  let worstSum = 0, worstBalance = 0;
  for (let fb = 3; fb <= 6.0001; fb += 0.25) {
    for (let T = 70; T <= 100.0001; T += 2.5) {
      const s = williamsOttoSteadyState(nominalWilliamsOtto, fb, T);
      const x = [s.xA, s.xB, s.xC, s.xP, s.xE, s.xG];
      worstSum = Math.max(worstSum, Math.abs(x.reduce((a, b) => a + b, 0) - 1));
      const FR = nominalWilliamsOtto.feedAKgPerS + fb;
      for (const r of williamsOttoBalances(nominalWilliamsOtto, fb, T, x)) worstBalance = Math.max(worstBalance, Math.abs(r) / FR);
      assert.ok(x.every((v) => v >= 0 && v <= 1), `fractions out of [0,1] at F_B=${fb}, T_R=${T}`);
    }
  }
  assert.ok(worstSum < 1e-9, `sum of fractions off by ${worstSum}`);
  assert.ok(worstBalance < 1e-9, `balance residual ${worstBalance}`);
});

test('total mass is conserved reaction by reaction (stoichiometric coefficients on mass basis sum to zero)', () => {
  // Outlet mass flow F_R·Σx equals the feed F_A + F_B because the mass stoichiometry of each
  // reaction sums to zero; check on an off-nominal plant with a different holdup and feed.
  const p = { ...nominalWilliamsOtto, holdupKg: 1500, feedAKgPerS: 2.1 };
  const s = williamsOttoSteadyState(p, 5.2, 95);
  const FR = p.feedAKgPerS + 5.2;
  const out = FR * (s.xA + s.xB + s.xC + s.xE + s.xG + s.xP);
  assert.ok(Math.abs(out - FR) / FR < 1e-12);
});

test('profit at the literature optimum (F_B 4.787 kg/s, T_R 89.70 °C) is the published 190.98 $/s', () => {
  // Marchetti, Chachuat & Bonvin, Ind. Eng. Chem. Res. 48 (2009): plant optimum φ* = 190.98.
  const s = williamsOttoSteadyState(nominalWilliamsOtto, 4.787, 89.7);
  assert.ok(Math.abs(s.profit - 190.98) < 0.01, `profit ${s.profit}`);
});

test('hotter reactors make more heavy by-product G (k3 has the largest activation energy)', () => {
  const cool = williamsOttoSteadyState(nominalWilliamsOtto, 4.5, 75);
  const hot = williamsOttoSteadyState(nominalWilliamsOtto, 4.5, 95);
  assert.ok(hot.xG > cool.xG && hot.xA < cool.xA);
});

test('a non-positive feed is rejected with the value seen', () => {
  assert.throws(() => williamsOttoSteadyState(nominalWilliamsOtto, 0, 80), /F_B=0/);
});

test('the analytic Jacobian of the balances matches central finite differences', () => {
  for (const [fb, T] of [[3.2, 72], [4.8, 90], [5.9, 99]]) {
    const { residual, jacobian } = williamsOttoReducedSystem(nominalWilliamsOtto, fb, T);
    const y = Float64Array.of(0.1, 0.4, 0.03, 0.12);
    const J = new Float64Array(16);
    jacobian(y, J);
    const fp = new Float64Array(4), fm = new Float64Array(4);
    for (let j = 0; j < 4; j++) {
      const h = 1e-6;
      const yp = Float64Array.from(y), ym = Float64Array.from(y);
      yp[j] += h; ym[j] -= h;
      residual(yp, fp); residual(ym, fm);
      for (let i = 0; i < 4; i++) {
        const fd = (fp[i] - fm[i]) / (2 * h);
        assert.ok(Math.abs(fd - J[i * 4 + j]) <= 1e-6 * Math.max(1, Math.abs(fd)), `J[${i}][${j}] at F_B=${fb}, T_R=${T}: ${J[i * 4 + j]} vs ${fd}`);
      }
    }
  }
});
