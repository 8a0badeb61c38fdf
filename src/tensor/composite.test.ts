/** Composite ops differentiate through their primitives; checked against finite differences. */
import { test } from 'node:test';
import { Rng } from './rng.js';
import { Tensor } from './tensor.js';
import { assertGradient } from './gradcheck.js';
import { logSoftmax, logSumExp, softmax } from './composite.js';

test('logSumExp, softmax and logSoftmax gradients match finite differences along every axis', () => {
  const rng = new Rng(11);
  for (const axis of [undefined, 0, 1] as const) {
    assertGradient((a) => logSumExp(a, axis), [Tensor.randn(3, 4, rng)], { label: `logSumExp axis ${axis}` });
  }
  for (const axis of [0, 1] as const) {
    assertGradient((a) => softmax(a, axis), [Tensor.randn(3, 4, rng)], { label: `softmax axis ${axis}` });
    assertGradient((a) => logSoftmax(a, axis), [Tensor.randn(3, 4, rng)], { label: `logSoftmax axis ${axis}` });
  }
});
