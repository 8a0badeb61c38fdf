import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nominalWilliamsOtto, williamsOttoSteadyState } from './williamsOtto.js';
import { williamsOttoOptimum } from './williamsOttoOptimum.js';

test('the unconstrained optimum of the nominal plant is the published one (F_B 4.787, T_R 89.70 °C, 190.98 $/s)', () => {
  const opt = williamsOttoOptimum(nominalWilliamsOtto, { constrained: false });
  assert.ok(Math.abs(opt.feedBKgPerS - 4.787) < 0.005, `F_B ${opt.feedBKgPerS}`);
  assert.ok(Math.abs(opt.temperatureC - 89.7) < 0.05, `T_R ${opt.temperatureC}`);
  assert.ok(Math.abs(opt.profit - 190.98) < 0.01, `profit ${opt.profit}`);
  assert.deepEqual(opt.activeConstraints, []);
});

test('the constrained optimum sits on x_G = 0.08, is feasible, and beats every feasible point of a fine grid', () => {
  const opt = williamsOttoOptimum(nominalWilliamsOtto, { constrained: true });
  assert.deepEqual(opt.activeConstraints, ['xG']);
  assert.ok(Math.abs(opt.state.xG - 0.08) < 1e-9 && opt.state.xA <= 0.12);
  let bestGrid = -Infinity;
  for (let i = 0; i <= 120; i++) {
    for (let j = 0; j <= 120; j++) {
      const s = williamsOttoSteadyState(nominalWilliamsOtto, 3 + (3 * i) / 120, 70 + (30 * j) / 120);
      if (s.xA <= 0.12 && s.xG <= 0.08) bestGrid = Math.max(bestGrid, s.profit);
    }
  }
  assert.ok(opt.profit >= bestGrid - 1e-9, `grid ${bestGrid} beats optimum ${opt.profit}`);
  assert.ok(opt.profit - bestGrid < 0.5, `grid best ${bestGrid} not within a cell (0.5 $/s) of the optimum ${opt.profit}`);
  assert.ok(opt.profit < 190.98, 'constraints cost profit');
});

test('with a tighter x_A limit both quality constraints become active at a vertex', () => {
  const opt = williamsOttoOptimum(nominalWilliamsOtto, { limits: { xA: 0.09, xG: 0.08 } });
  assert.deepEqual([...opt.activeConstraints].sort(), ['xA', 'xG']);
  assert.ok(Math.abs(opt.state.xA - 0.09) < 1e-9 && Math.abs(opt.state.xG - 0.08) < 1e-9);
});

test('a narrow operating window puts the optimum on the window bound', () => {
  const opt = williamsOttoOptimum(nominalWilliamsOtto, { constrained: false, bounds: { feedB: [3, 4.2], temperatureC: [70, 100] } });
  assert.ok(opt.activeConstraints.includes('F_B max'));
  assert.equal(opt.feedBKgPerS, 4.2);
});
