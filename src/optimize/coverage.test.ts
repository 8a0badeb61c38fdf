import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { add, mul } from '../tensor/ops/index.js';
import { predictiveCoverage } from './coverage.js';
import type { ProcessSurrogate } from './surrogate.js';

// y = 2x exactly; the model is off by Gaussian errors of sd 0.1 and claims sd `claimed`.
function noisyModel(claimed: number, errors: Float64Array): ProcessSurrogate {
  return {
    inputNames: ['x'],
    outputNames: ['y'],
    predict: (x) => add(mul(x, 2), new Tensor(x.rows, 1, errors.slice(0, x.rows))),
    predictStd: (x) => add(mul(x, 0), claimed),
  };
}

test('a calibrated sd covers 95 % of held-out errors with RMS z near 1; a twice too large one over-covers', () => {
  const n = 4000;
  const rng = new Rng(3);
  const errors = Float64Array.from({ length: n }, () => rng.normal(0, 0.1));
  const x = new Tensor(n, 1, Float64Array.from({ length: n }, (_, i) => i / n));
  const truth = new Tensor(n, 1, Float64Array.from(x.data, (v) => 2 * v));
  const [calibrated] = predictiveCoverage(noisyModel(0.1, errors), x, truth);
  assert.ok(Math.abs(calibrated.rmsZ - 1) < 0.04, `rms z ${calibrated.rmsZ}`);
  assert.ok(Math.abs(calibrated.covered - 0.95) < 0.012, `coverage ${calibrated.covered}`);
  assert.ok(Math.abs(calibrated.meanZ) < 0.05, `mean z ${calibrated.meanZ}`);
  const [wide] = predictiveCoverage(noisyModel(0.2, errors), x, truth, { confidence: 0.95 });
  assert.ok(Math.abs(wide.rmsZ - 0.5) < 0.02, `rms z ${wide.rmsZ}`);
  // |N(0, 1)| ≤ 1.96·2 almost always.
  assert.ok(wide.covered > 0.999, `coverage ${wide.covered}`);
  assert.ok(Math.abs(wide.coveredOneSided - 1) < 1e-3);
});

test('coverage names a missing output and needs a model with an sd', () => {
  const x = new Tensor(2, 1, Float64Array.of(0, 1));
  const truth = new Tensor(2, 1);
  assert.throws(() => predictiveCoverage(noisyModel(1, new Float64Array(2)), x, truth, { outputs: ['z'] }), /'z' is not an output of the model/);
  const { predictStd: _, ...plain } = noisyModel(1, new Float64Array(2));
  assert.throws(() => predictiveCoverage(plain, x, truth), /no predictive uncertainty/);
});
