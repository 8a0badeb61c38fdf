/** Loss values against hand-computed ones, and their gradients against finite differences. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { assertGradient } from '../tensor/gradcheck.js';
import { backward } from '../tensor/autodiff.js';
import { mean, square, sub, sum } from '../tensor/ops/index.js';
import { huber, lossByName, mae, mse } from './losses.js';

const p = Tensor.from([[1, 2], [3, 4]]);
const t = Tensor.from([[1.5, 2], [0, 4.5]]);
// residuals 0.5, 0, -3, 0.5 (prediction − target: -0.5, 0, 3, -0.5)

test('mse, mae and huber give the hand-computed values with mean and sum reductions', () => {
  assert.equal(mse(p, t).item(), (0.25 + 0 + 9 + 0.25) / 4);
  assert.equal(mse(p, t, { reduction: 'sum' }).item(), 9.5);
  assert.equal(mae(p, t).item(), 4 / 4);
  // delta 1: 0.125, 0, 1·(3 − 0.5) = 2.5, 0.125
  assert.equal(huber(p, t).item(), 2.75 / 4);
  assert.equal(huber(p, t, { delta: 2, reduction: 'sum' }).item(), 0.125 + 0 + 2 * (3 - 1) + 0.125);
});

test('loss gradients match finite differences (inputs away from the kinks)', () => {
  const rng = new Rng(4);
  const pred = Tensor.randn(5, 3, rng);
  const target = new Tensor(5, 3, pred.data.map((v, k) => v + (k % 2 === 0 ? 1 : -1) * (0.2 + 0.3 * (k % 5))));
  for (const reduction of ['mean', 'sum'] as const) {
    assertGradient((a, b) => mse(a, b, { reduction }), [pred, target], { label: `mse ${reduction}` });
    assertGradient((a, b) => mae(a, b, { reduction }), [pred, target], { label: `mae ${reduction}` });
    // |r| in [0.2, 1.4]: δ = 0.75 puts some on each side, none near it.
    assertGradient((a, b) => huber(a, b, { reduction, delta: 0.75 }), [pred, target], { label: `huber ${reduction}` });
  }
});

test('losses name the op and both shapes on a mismatch, and unknown names list the known ones', () => {
  assert.throws(() => mse(p, Tensor.zeros(2, 1)), /mse: prediction \[2, 2\] and target \[2, 1\] must have the same shape/);
  assert.throws(() => huber(p, t, { delta: -1 }), /huber: delta must be a positive finite number, got -1/);
  assert.throws(() => lossByName('hinge'), /Unknown loss 'hinge': expected one of mse, mae, huber/);
  assert.throws(() => mse(p, t, { reduction: 'max' as 'sum' }), /mse: unknown reduction 'max'/);
});

test('mse as one fused op gives the same bits as the mean of squared residuals built from primitives', () => {
  const rng = new Rng(9);
  const pred = Tensor.randn(16, 3, rng, { requiresGrad: true });
  const target = Tensor.randn(16, 3, rng, { requiresGrad: true });
  for (const reduction of ['mean', 'sum'] as const) {
    const fused = mse(pred, target, { reduction });
    backward(fused, 0.7);
    const fusedGrads = [pred.grad!.slice(), target.grad!.slice()];
    pred.grad = null;
    target.grad = null;
    const squares = square(sub(pred, target));
    const plain = reduction === 'mean' ? mean(squares) : sum(squares);
    backward(plain, 0.7);
    assert.equal(fused.item(), plain.item(), `mse ${reduction}: value`);
    assert.deepEqual([Array.from(fusedGrads[0]), Array.from(fusedGrads[1])], [Array.from(pred.grad!), Array.from(target.grad!)], `mse ${reduction}: gradients`);
    pred.grad = null;
    target.grad = null;
  }
  assert.throws(() => mse(Tensor.zeros(0, 2), Tensor.zeros(0, 2)), /mse: prediction \[0, 2\] has no values to average/);
});
