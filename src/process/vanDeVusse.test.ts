import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integrateOde } from './ode/dormandPrince.js';
import {
  nominalVanDeVusse as p,
  nominalVanDeVusseInputs as u,
  vanDeVusseRates,
  vanDeVusseRhs,
  vanDeVusseSteadyState,
} from './vanDeVusse.js';
import { vanDeVusseOptimum } from './vanDeVusseOptimum.js';

test('the nominal inputs reproduce the published steady state cA 2.14, cB 1.09 mol/L, T 114.2 °C, Tk 112.9 °C', () => {
  const s = vanDeVusseSteadyState(p, u);
  assert.ok(Math.abs(s.cA - 2.14) < 0.005, `cA ${s.cA}`);
  assert.ok(Math.abs(s.cB - 1.09) < 0.005, `cB ${s.cB}`);
  assert.ok(Math.abs(s.temperatureC - 114.2) < 0.05, `T ${s.temperatureC}`);
  assert.ok(Math.abs(s.jacketTemperatureC - 112.9) < 0.05, `Tk ${s.jacketTemperatureC}`);
});

test('the overall energy balance of reactor plus jacket closes at steady state to 1e-9 of the largest term', () => {
  const s = vanDeVusseSteadyState(p, u);
  const [r1, r2, r3] = vanDeVusseRates(p, s.temperatureC, s.cA, s.cB);
  const [h1, h2, h3] = p.reactionEnthalpyKJPerMol;
  const VR = p.reactorVolumeL;
  const sensible = u.dilutionPerH * VR * p.densityKgPerL * p.heatCapacityKJPerKgK * (u.feedTemperatureC - s.temperatureC);
  const reaction = -(r1 * h1 + r2 * h2 + r3 * h3) * VR;
  const terms = [sensible, reaction, u.jacketDutyKJPerH];
  const total = terms.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total) / Math.max(...terms.map(Math.abs)) < 1e-9, `energy imbalance ${total} kJ/h`);
});

test('A-equivalents (cA + cB + cC + 2cD) follow the exact washout law during a transient, to 1e-9 relative', () => {
  // Augment the model with the by-products C and D formed by the same rates; the total A
  // equivalents m then obey dm/dt = D (cA0 − m), whatever the kinetics or temperature do.
  const rhs = (_t: number, y: Float64Array, d: Float64Array): void => {
    vanDeVusseRhs(p, u, y, d);
    const [, r2, r3] = vanDeVusseRates(p, y[2], y[0], y[1]);
    d[4] = -u.dilutionPerH * y[4] + r2;
    d[5] = -u.dilutionPerH * y[5] + r3 / 2;
  };
  const y0 = Float64Array.of(0.5, 0.2, 100, 95, 0.1, 0.05);
  const times = [0.01, 0.05, 0.1, 0.3];
  const sol = integrateOde(rhs, 0, y0, times, { relTol: 1e-11, absTol: 1e-12 });
  const m0 = y0[0] + y0[1] + y0[4] + 2 * y0[5];
  times.forEach((t, i) => {
    const y = sol.states.subarray(6 * i, 6 * i + 6);
    const m = y[0] + y[1] + y[4] + 2 * y[5];
    const exact = u.feedConcentration + (m0 - u.feedConcentration) * Math.exp(-u.dilutionPerH * t);
    assert.ok(Math.abs(m - exact) / exact < 1e-9, `t=${t}: ${m} vs ${exact}`);
  });
});

test('integrating the dynamics from a disturbed state settles on the computed steady state', () => {
  const s = vanDeVusseSteadyState(p, u);
  const sol = integrateOde((_t, y, d) => vanDeVusseRhs(p, u, y, d), 0, Float64Array.of(1.5, 0.5, 105, 100), [3], { relTol: 1e-10, absTol: 1e-10 });
  assert.ok(Math.abs(sol.states[0] - s.cA) < 1e-6 && Math.abs(sol.states[1] - s.cB) < 1e-6);
  assert.ok(Math.abs(sol.states[2] - s.temperatureC) < 1e-5 && Math.abs(sol.states[3] - s.jacketTemperatureC) < 1e-5);
});

test('fouling (lower heat transfer) warms the reactor when it is cooled', () => {
  const clean = vanDeVusseSteadyState(p, u);
  const fouled = vanDeVusseSteadyState(p, u, { heatTransferFactor: 0.6 });
  assert.ok(fouled.temperatureC > clean.temperatureC && fouled.jacketTemperatureC < clean.jacketTemperatureC);
});

test('the steady-state optimum is interior in D with Qk on its bound, and no grid point beats it', () => {
  const opt = vanDeVusseOptimum(p);
  assert.deepEqual(opt.activeBounds, ['Qk max']);
  assert.ok(opt.dilutionPerH > 20 && opt.dilutionPerH < 30, `D ${opt.dilutionPerH}`);
  for (let D = 3; D <= 35; D += 0.5) {
    for (const Q of [-9000, -4000, -1000, -200, 0]) {
      const uu = { ...u, dilutionPerH: D, jacketDutyKJPerH: Q };
      const s = vanDeVusseSteadyState(p, uu);
      const v = 10 * D * (s.cB - 0.15 * u.feedConcentration) - 0.05 * Math.abs(Q) / 1000;
      assert.ok(v <= opt.profit + 1e-9, `D=${D}, Qk=${Q} gives ${v} > ${opt.profit}`);
    }
  }
});
