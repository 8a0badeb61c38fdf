import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nominalVanDeVusse, vanDeVusseProfit, vanDeVusseSteadyState } from './vanDeVusse.js';
import { vanDeVusseConstrainedOptimum } from './vanDeVusseConstrainedOptimum.js';

const feed = { feedConcentration: 5.0, feedTemperatureC: 105.5 };

/** Best profit over an n×n grid of the box among points meeting the limits. */
function gridBest(limits: { maxTemperatureC?: number; minProductConcentration?: number }, n: number): number {
  let best = -Infinity;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= n; j++) {
      const u = { ...feed, dilutionPerH: 3 + (32 * i) / n, jacketDutyKJPerH: -9000 + (9000 * j) / n };
      const s = vanDeVusseSteadyState(nominalVanDeVusse, u);
      if (s.temperatureC <= (limits.maxTemperatureC ?? Infinity) && s.cB >= (limits.minProductConcentration ?? -Infinity)) {
        best = Math.max(best, vanDeVusseProfit(nominalVanDeVusse, u, s));
      }
    }
  }
  return best;
}

test('under a temperature limit the optimum lies on it, meets it, and no grid point that meets it does better', () => {
  const opt = vanDeVusseConstrainedOptimum(nominalVanDeVusse, { feed, limits: { maxTemperatureC: 113 } });
  assert.deepEqual(opt.active, ['T max']);
  assert.ok(Math.abs(opt.state.temperatureC - 113) < 1e-8, `T ${opt.state.temperatureC}`);
  assert.ok(opt.profit >= gridBest({ maxTemperatureC: 113 }, 80) - 1e-9);
  // Without the limit the plant would run hotter (no cooling) and earn more.
  const free = vanDeVusseConstrainedOptimum(nominalVanDeVusse, { feed, limits: {} });
  assert.ok(free.profit > opt.profit + 5 && free.state.temperatureC > 114, `${free.profit} vs ${opt.profit}`);
});

test('with a temperature limit and a product specification both active the optimum sits at their corner', () => {
  const limits = { maxTemperatureC: 113, minProductConcentration: 1.0 };
  const opt = vanDeVusseConstrainedOptimum(nominalVanDeVusse, { feed, limits });
  assert.deepEqual(opt.active, ['T max', 'cB min']);
  assert.ok(Math.abs(opt.state.cB - 1.0) < 1e-8 && Math.abs(opt.state.temperatureC - 113) < 1e-8);
  assert.ok(opt.profit >= gridBest(limits, 80) - 1e-9);
});

test('limits no point of the box can meet are reported as infeasible', () => {
  assert.throws(() => vanDeVusseConstrainedOptimum(nominalVanDeVusse, { feed, limits: { maxTemperatureC: 113, minProductConcentration: 1.5 } }), /no point .* meets T ≤ 113 °C, cB ≥ 1.5/);
});
