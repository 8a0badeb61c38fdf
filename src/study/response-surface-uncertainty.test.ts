import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/rng.js';
import { assertGradient } from '../tensor/gradcheck.js';
import { luFactor, luSolve } from '../tensor/lu.js';
import { PlantAdaptedModel } from './plant-adapted-model.js';
import { responseSurfaceStatistics, responseSurfaceStd, sumStatistics } from './response-surface-uncertainty.js';

/** Least squares y ≈ b_p + w·φ(z) for two plants with their own intercepts, by the normal equations. */
function fitTwoPlants(z: Tensor[], y: Tensor[], model: PlantAdaptedModel): { w: Float64Array; b: number[] } {
  const phis = z.map((zi) => model.features(zi));
  const t = phis[0].cols;
  const p = t + 2;
  const G = new Float64Array(p * p);
  const r = new Float64Array(p);
  phis.forEach((phi, q) => {
    for (let i = 0; i < phi.rows; i++) {
      const row = [q === 0 ? 1 : 0, q === 1 ? 1 : 0, ...phi.data.subarray(i * t, (i + 1) * t)];
      for (let a = 0; a < p; a++) {
        r[a] += row[a] * y[q].data[i];
        for (let b = 0; b < p; b++) G[a * p + b] += row[a] * row[b];
      }
    }
  });
  luSolve(luFactor(G, p), r, 1, false);
  return { b: [r[0], r[1]], w: r.slice(2) };
}

test('the federated prediction standard error equals ordinary least squares’ own, and grows away from the data', () => {
  const rng = new Rng(3);
  const model = new PlantAdaptedModel({ inputSize: 2, outputSize: 1, degree: 2, plantParameters: { inputShift: false, outputOffset: true } });
  const z = [0, 1].map((q) => new Tensor(60, 2, Float64Array.from({ length: 120 }, () => rng.normal(q - 0.5, 0.6))));
  const y = z.map((zi, q) => new Tensor(60, 1, Float64Array.from({ length: 60 }, (_, i) => 0.3 * q + zi.data[2 * i] - 0.5 * zi.data[2 * i + 1] ** 2 + rng.normal(0, 0.1))));
  const fit = fitTwoPlants(z, y, model);
  // Put the least-squares solution into each plant's model (offset = its intercept, bias 0).
  const models = [0, 1].map((q) => {
    const m = new PlantAdaptedModel(model.spec);
    m.parameters.tensor('plant.outputOffset').data[0] = fit.b[q];
    m.parameters.tensor('body.layer0.weight').data.set(fit.w);
    return m;
  });
  const stats = models.map((m, q) => responseSurfaceStatistics(m, z[q], y[q]));
  const totals = sumStatistics(stats);
  const std = responseSurfaceStd(models[0], totals, stats[0]);
  // Reference: σ̂² xᵀ(XᵀX)⁻¹x with x = [1, 0, φ(z)] in the full design with both intercepts.
  const phis = z.map((zi) => model.features(zi));
  const t = phis[0].cols;
  const p = t + 2;
  const G = new Float64Array(p * p);
  let sse = 0;
  phis.forEach((phi, q) => {
    for (let i = 0; i < phi.rows; i++) {
      const row = [q === 0 ? 1 : 0, q === 1 ? 1 : 0, ...phi.data.subarray(i * t, (i + 1) * t)];
      for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) G[a * p + b] += row[a] * row[b];
      let pred = fit.b[q];
      for (let a = 0; a < t; a++) pred += fit.w[a] * row[2 + a];
      sse += (y[q].data[i] - pred) ** 2;
    }
  });
  const sigma2 = sse / (120 - p);
  const factors = luFactor(G, p);
  for (const at of [[0, 0], [-0.5, 0.3], [2.5, -2]]) {
    const point = new Tensor(1, 2, Float64Array.from(at));
    const x = [1, 0, ...model.features(point).data];
    const solved = Float64Array.from(x);
    luSolve(factors, solved, 1, false);
    const expected = Math.sqrt(sigma2 * x.reduce((s, v, a) => s + v * solved[a], 0));
    const got = std(point).item();
    assert.ok(Math.abs(got - expected) < 1e-9 * expected, `at ${at}: ${got} vs OLS ${expected}`);
  }
  assert.ok(std(Tensor.from([[2.5, -2]])).item() > 3 * std(Tensor.from([[-0.5, 0]])).item(), 'extrapolation is more uncertain');
  assertGradient((zi) => std(zi), [new Tensor(2, 2, Float64Array.of(0.2, -0.4, 1.3, 0.8), { requiresGrad: true })], { label: 'prediction sd' });
});
