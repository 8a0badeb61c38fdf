/**
 * Parameter updates over a model's flat vectors, for WebAssembly SIMD. The same operations in the
 * same order as the TypeScript loop they replace (src/tensor/kernels/update.ts), so the same bits.
 */

/** θ[i] −= lr·g[i] for i < n: plain SGD. */
export function sgdUpdate(theta: usize, g: usize, n: i32, lr: f64): void {
  const rate = f64x2.splat(lr);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const off = <usize>i << 3;
    v128.store(theta + off, f64x2.sub(v128.load(theta + off), f64x2.mul(rate, v128.load(g + off))));
  }
  if (i < n) {
    const off = <usize>i << 3;
    store<f64>(theta + off, load<f64>(theta + off) - lr * load<f64>(g + off));
  }
}
