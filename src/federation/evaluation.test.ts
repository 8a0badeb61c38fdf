import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Tensor } from '../tensor/tensor.js';
import { poolRegressionSums, regressionMetrics, regressionSums } from './evaluation.js';

describe('federated evaluation metrics', () => {
  it('pooled from per-plant sums equal the metrics of all rows taken together (R² against the global mean)', () => {
    const rows = fc.array(fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true })), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(fc.array(rows, { minLength: 1, maxLength: 5 }), (plants) => {
        const sums = plants.map((p) => regressionSums(Tensor.from(p.map(([pred]) => [pred])), Tensor.from(p.map(([, y]) => [y]))));
        const all = plants.flat();
        const whole = regressionMetrics(regressionSums(Tensor.from(all.map(([pred]) => [pred])), Tensor.from(all.map(([, y]) => [y]))));
        const pooled = regressionMetrics(poolRegressionSums(sums));
        const close = (a: number, b: number, scale: number): boolean => (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-9 * scale;
        assert.ok(close(pooled.mse, whole.mse, 1 + whole.mse));
        assert.ok(close(pooled.mae, whole.mae, 1 + whole.mae));
        // R² is ill-conditioned when the targets barely vary; compare where SST is not tiny.
        const n = all.length;
        const mean = all.reduce((s, [, y]) => s + y, 0) / n;
        const sst = all.reduce((s, [, y]) => s + (y - mean) ** 2, 0);
        if (sst > 1e-3) assert.ok(close(pooled.r2, whole.r2, 1 + Math.abs(whole.r2)), `${pooled.r2} vs ${whole.r2}`);
      }),
    );
  });

  it('averages R² uniformly over outputs and MSE over all values', () => {
    const m = regressionMetrics(regressionSums(Tensor.from([[1, 10], [2, 20], [3, 33]]), Tensor.from([[1, 10], [2, 20], [3, 30]])));
    assert.equal(m.mse, 9 / 6);
    // Output 0 exact (R² 1); output 1: SSE 9, SST 200.
    assert.ok(Math.abs(m.r2 - (1 + (1 - 9 / 200)) / 2) < 1e-15);
  });
});
