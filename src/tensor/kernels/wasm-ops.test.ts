import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.js';
import { Tensor } from '../tensor.js';
import { assertGradient } from '../gradcheck.js';
import { linear, matmul, tanh } from '../ops/index.js';

// Sizes past the WebAssembly thresholds (4,096 multiply-adds, 64 values), so the gradient rules are
// checked on the SIMD kernels and not only on the TypeScript ones small tests reach. (The two-thread
// path needs no check of its own: gemm.test.ts shows it gives the same bits.)
const rng = new Rng(31);

test('linear (fused matmul + bias) on the WebAssembly path has finite-difference gradients for x, W and b', () => {
  const x = Tensor.randn(24, 20, rng);
  const w = Tensor.randn(20, 18, rng, { scale: 0.3 });
  const b = Tensor.randn(1, 18, rng);
  assertGradient((xi, wi, bi) => tanh(linear(xi, wi, bi)), [x, w, b]);
});

test('linear equals matmul plus the broadcast bias', () => {
  const x = Tensor.randn(40, 33, rng);
  const w = Tensor.randn(33, 17, rng);
  const b = Tensor.randn(1, 17, rng);
  const fused = linear(x, w, b);
  const plain = matmul(x, w);
  for (let i = 0; i < 40; i++) {
    for (let j = 0; j < 17; j++) assert.ok(Math.abs(fused.get(i, j) - (plain.get(i, j) + b.get(0, j))) <= 1e-13 * (1 + Math.abs(plain.get(i, j))));
  }
  assert.throws(() => linear(x, w, Tensor.randn(1, 16, rng)), /linear: bias \[1, 16\] does not fit weight \[33, 17\]; expected \[1, 17\]/);
  assert.throws(() => linear(Tensor.randn(4, 32, rng), w, b), /linear: input \[4, 32\] has 32 columns, weight \[33, 17\] expects 33/);
});
