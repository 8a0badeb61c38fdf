import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backward, noGrad } from '../tensor/autodiff.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { add, sum } from '../tensor/ops/index.js';
import { mse } from './losses.js';
import { Mlp } from './mlp.js';

/** Equal to 1e-14 relative: accumulating into a gradient row by row rounds differently from adding totals. */
function assertClose(actual: Float64Array, expected: Float64Array): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= 1e-14 * (1 + Math.abs(expected[i])), `entry ${i}: ${a} against ${expected[i]}`));
}

const spec = { widths: [3, 8, 8, 2], activation: 'tanh' as const, seed: 4 };
const rng = new Rng(12);
const x1 = Tensor.randn(5, 3, rng);
const x2 = Tensor.randn(5, 3, rng);
const y = Tensor.randn(5, 2, rng);

/** The flat gradient of mse(model(x), y) on a model of its own that did nothing else. */
function freshGradient(x: Tensor): Float64Array {
  const model = new Mlp(spec);
  backward(mse(model.forward(x), y));
  return model.parameters.grads.slice();
}

test('a forward pass that reuses the buffers of an earlier, back-propagated one gives the same values and gradients', () => {
  const model = new Mlp(spec);
  for (const x of [x1, x2, x1, x2]) {
    model.parameters.zeroGrad();
    const out = model.forward(x);
    const expected = noGrad(() => new Mlp(spec).forward(x));
    assert.deepEqual(out.data, expected.data);
    backward(mse(out, y));
    assert.deepEqual(model.parameters.grads, freshGradient(x));
  }
});

test('a forward pass can be back-propagated again before the next one (as jacobian does), and two live passes at once', () => {
  const model = new Mlp(spec);
  const loss = mse(model.forward(x1), y);
  backward(loss);
  backward(loss);
  assertClose(model.parameters.grads, freshGradient(x1).map((g) => 2 * g));
  model.parameters.zeroGrad();
  // Neither pass has been back-propagated when the second runs: each has buffers of its own.
  const both = add(mse(model.forward(x1), y), mse(model.forward(x2), y));
  backward(both);
  const g2 = freshGradient(x2);
  assertClose(model.parameters.grads, freshGradient(x1).map((g, i) => g + g2[i]));
});

test('back-propagating through a pass whose buffers a later pass reused throws instead of reading them', () => {
  const model = new Mlp(spec);
  const first = model.forward(x1);
  backward(sum(first));
  const second = model.forward(x2);
  assert.throws(
    () => backward(sum(add(first, second))),
    /dense: the (input|output) of this layer was reused by a later forward pass of the same model after a backward pass had gone through it/,
  );
  // Outputs themselves are never reused: the first pass' result still holds its values.
  assert.deepEqual(first.data, noGrad(() => new Mlp(spec).forward(x1)).data);
});

test('forward passes without a tape free their buffers at once and return outputs of their own', () => {
  const model = new Mlp(spec);
  const outputs = noGrad(() => [model.forward(x1), model.forward(x2), model.forward(x1)]);
  assert.deepEqual(outputs[0].data, outputs[2].data);
  assert.notEqual(outputs[0].data, outputs[2].data);
  assert.notDeepEqual(outputs[0].data, outputs[1].data);
});
