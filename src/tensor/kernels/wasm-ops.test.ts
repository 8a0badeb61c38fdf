import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.js';
import { Tensor } from '../tensor.js';
import { assertGradient } from '../gradcheck.js';
import { backward } from '../autodiff.js';
import { dense, denseActivations, linear, matmul, relu, sigmoid, square, sum, tanh } from '../ops/index.js';

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

test('dense on the WebAssembly path has finite-difference gradients for x, W and b with every fused activation', () => {
  for (const act of denseActivations) {
    const x = Tensor.randn(24, 20, rng);
    const w = Tensor.randn(20, 16, rng, { scale: 0.3 });
    const b = Tensor.randn(1, 16, rng);
    const r = assertGradient((xi, wi, bi) => sum(square(dense(xi, wi, bi, act))), [x, w, b], { label: `dense ${act}` });
    assert.ok(r.maxRelError < 1e-6, `dense ${act}: relative error ${r.maxRelError}`);
  }
});

const unfused = { linear: (z: Tensor) => z, tanh, relu, sigmoid } as const;

test('dense gives the same values and gradients as linear followed by its activation, on both kernel paths', () => {
  // 3×5×4 stays on the TypeScript kernels; the others run on WebAssembly when it is built: 40×33×17
  // with edge tiles, 64×12×16 on the write-once kernel in every product, 32×300×8 with an inner
  // dimension past one block of it.
  for (const [n, k, m] of [[3, 5, 4], [40, 33, 17], [64, 12, 16], [32, 300, 8]]) {
    for (const act of denseActivations) {
      const x = Tensor.randn(n, k, rng, { requiresGrad: true });
      const w = Tensor.randn(k, m, rng, { requiresGrad: true });
      const b = Tensor.randn(1, m, rng, { requiresGrad: true });
      const seed = Tensor.randn(n, m, rng);
      const fused = dense(x, w, b, act);
      backward(fused, seed);
      const fusedGrads = [x, w, b].map((t) => t.grad!.slice());
      for (const t of [x, w, b]) t.grad = null;
      const plain = unfused[act](linear(x, w, b));
      backward(plain, seed);
      const where = `dense ${act} [${n}, ${k}]·[${k}, ${m}]`;
      assert.deepEqual(Array.from(fused.data), Array.from(plain.data), `${where}: values`);
      [x, w, b].forEach((t, i) => assert.deepEqual(Array.from(fusedGrads[i]), Array.from(t.grad!), `${where}: gradient of input ${i}`));
    }
  }
});

test('dense names an unknown activation', () => {
  const x = Tensor.randn(2, 3, rng);
  assert.throws(() => dense(x, Tensor.randn(3, 2, rng), Tensor.randn(1, 2, rng), 'swish' as 'tanh'), /dense: unknown activation 'swish': expected one of linear, tanh, relu, sigmoid/);
});
