/** Ghost-norm per-example gradient norms and clipped sums against the naive per-example loop and finite differences. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backward, noGrad } from '../tensor/autodiff.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { gatherRows } from '../tensor/ops/index.js';
import { l2Norm } from './clip.js';
import { type LossName, lossByName } from './losses.js';
import { Mlp } from './mlp.js';
import { clippedGradientSum, perExampleGradNorms } from './per-example.js';
import { fit } from './fit.js';

function batch(n: number, inputs: number, outputs: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  return { x: Tensor.randn(n, inputs, rng), y: Tensor.randn(n, outputs, rng) };
}

/** Example i's full gradient, the slow way: its own forward and backward pass. */
function naiveGradient(model: Mlp, x: Tensor, y: Tensor, i: number, loss: LossName): Float64Array {
  model.parameters.zeroGrad();
  backward(lossByName(loss)(model.forward(gatherRows(x, [i])), gatherRows(y, [i])));
  const g = model.parameters.grads.slice();
  model.parameters.zeroGrad();
  return g;
}

const cases: Array<{ widths: number[]; activation: 'tanh' | 'relu' | 'silu'; loss: LossName }> = [
  { widths: [3, 7, 5, 2], activation: 'tanh', loss: 'mse' },
  { widths: [4, 6, 1], activation: 'silu', loss: 'huber' },
  { widths: [2, 8, 8, 3], activation: 'relu', loss: 'mae' },
];

test('per-example gradient norms equal the naive per-example loop to 1e-12', () => {
  let worst = 0;
  for (const c of cases) {
    const model = new Mlp({ widths: c.widths, activation: c.activation, seed: 5 });
    const { x, y } = batch(9, c.widths[0], c.widths.at(-1)!, 6);
    model.parameters.grads.fill(0.25);
    const norms = perExampleGradNorms(model, x, y, { loss: c.loss });
    assert.deepEqual(perExampleGradNorms(model, x, y, lossByName(c.loss)), norms, 'loss given directly');
    assert.ok(model.parameters.grads.every((g) => g === 0.25), 'parameter gradients untouched');
    for (let i = 0; i < x.rows; i++) {
      const naive = l2Norm(naiveGradient(model, x, y, i, c.loss));
      const rel = Math.abs(norms[i] - naive) / naive;
      worst = Math.max(worst, rel);
      assert.ok(rel < 1e-12, `${c.widths} ${c.activation} ${c.loss} example ${i}: ${norms[i]} vs ${naive}`);
    }
  }
  console.log(`# ghost norms vs naive loop: worst relative difference ${worst.toExponential(2)}`);
});

test('per-example gradient norms match finite differences of each example loss', () => {
  const model = new Mlp({ widths: [2, 5, 2], activation: 'tanh', seed: 7 });
  const { x, y } = batch(4, 2, 2, 8);
  const norms = perExampleGradNorms(model, x, y);
  const theta = model.parameters.values;
  let worst = 0;
  for (let i = 0; i < x.rows; i++) {
    const xi = gatherRows(x, [i]);
    const yi = gatherRows(y, [i]);
    const lossAt = (): number => noGrad(() => lossByName('mse')(model.forward(xi), yi).item());
    const g = new Float64Array(theta.length);
    const h = 1e-4;
    for (let k = 0; k < theta.length; k++) {
      const v = theta[k];
      const at = (d: number): number => {
        theta[k] = v + d;
        return lossAt();
      };
      g[k] = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h);
      theta[k] = v;
    }
    const rel = Math.abs(l2Norm(g) - norms[i]) / norms[i];
    worst = Math.max(worst, rel);
    assert.ok(rel < 1e-6, `example ${i}: ghost norm ${norms[i]}, finite differences ${l2Norm(g)}`);
  }
  console.log(`# ghost norms vs finite differences: worst relative error ${worst.toExponential(2)}`);
});

test('the clipped gradient sum equals the sum of naively clipped per-example gradients', () => {
  for (const c of cases) {
    const model = new Mlp({ widths: c.widths, activation: c.activation, seed: 9 });
    const { x, y } = batch(12, c.widths[0], c.widths.at(-1)!, 10);
    const norms = perExampleGradNorms(model, x, y, { loss: c.loss });
    const sorted = [...norms].sort((a, b) => a - b);
    const clipNorm = (sorted[5] + sorted[6]) / 2; // half the examples get clipped, none sits on the boundary
    const result = clippedGradientSum(model, x, y, { clipNorm, loss: c.loss });
    const expected = new Float64Array(model.parameters.count);
    let clipped = 0;
    for (let i = 0; i < x.rows; i++) {
      const g = naiveGradient(model, x, y, i, c.loss);
      const norm = l2Norm(g);
      const w = norm > clipNorm ? clipNorm / norm : 1;
      if (w < 1) clipped++;
      for (let k = 0; k < g.length; k++) expected[k] += w * g[k];
    }
    assert.equal(result.clippedCount, clipped);
    assert.equal(clipped, 6);
    const diff = expected.map((e, k) => e - result.gradientSum[k]);
    assert.ok(l2Norm(diff) < 1e-12 * l2Norm(expected), `${c.widths}: difference ${l2Norm(diff)}`);
    // Every clipped example contributes at most clipNorm.
    assert.ok(l2Norm(result.gradientSum) <= clipNorm * x.rows + 1e-12);
  }
});

test('per-example functions reject data that does not fit the model, naming the shapes', () => {
  const model = new Mlp({ widths: [3, 4, 1], seed: 1 });
  assert.throws(() => perExampleGradNorms(model, Tensor.zeros(2, 2), Tensor.zeros(2, 1)), /perExampleGradNorms: x \[2, 2\] has 2 columns, the model expects 3 inputs/);
  assert.throws(() => clippedGradientSum(model, Tensor.zeros(2, 3), Tensor.zeros(2, 1), { clipNorm: 0 }), /clipNorm must be a positive finite number, got 0/);
});

test('with a bound no example reaches, the clipped sum over n is the ordinary batch gradient, also inside fit', () => {
  const model = new Mlp({ widths: [3, 6, 2], activation: 'tanh', seed: 11 });
  const { x, y } = batch(10, 3, 2, 12);
  const { gradientSum, clippedCount } = clippedGradientSum(model, x, y, { clipNorm: 1e9 });
  assert.equal(clippedCount, 0);
  model.parameters.zeroGrad();
  backward(lossByName('mse')(model.forward(x), y));
  const ordinary = model.parameters.grads.slice();
  const diff = ordinary.map((g, k) => g - gradientSum[k] / x.rows);
  assert.ok(l2Norm(diff) < 1e-14 * l2Norm(ordinary));
  // The DP-SGD composition: fit's onGradient replaces the gradient by the clipped mean.
  let replaced = 0;
  fit(model, x, y, {
    epochs: 1,
    batchSize: 5,
    onGradient: (params, b) => {
      const before = params.grads.slice();
      clippedGradientSum(model, b.x, b.y, { clipNorm: 1e9, out: params.grads });
      for (let k = 0; k < params.count; k++) params.grads[k] /= b.x.rows;
      assert.ok(l2Norm(before.map((g, k) => g - params.grads[k])) < 1e-14 * l2Norm(before));
      replaced++;
    },
  });
  assert.equal(replaced, 2);
});
