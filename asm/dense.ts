/**
 * The elementwise parts of a dense layer act(x·W + b) and of its gradient, for WebAssembly SIMD: the
 * bias seeding the product, the activation applied in place, and the activation's derivative
 * folded into the output gradient together with the bias gradient's column sums. Every loop
 * performs the same operations in the same order as its TypeScript twin (src/tensor/kernels/
 * dense.ts), so both give identical bits.
 *
 * Activation codes: 0 linear, 1 tanh, 2 relu, 3 sigmoid (whose forward pass runs in TypeScript: it
 * needs exp). Pointers are byte offsets into linear memory.
 */
import { gemmUnpackedRows } from './gemm';
import { tanhArray } from './tanh';

/** Every row of y (m × n) = b (1 × n). */
export function fillRows(y: usize, b: usize, m: i32, n: i32): void {
  const rowBytes = <usize>n << 3;
  for (let i = 0; i < m; i++) {
    memory.copy(y, b, rowBytes);
    y += rowBytes;
  }
}

/** y = act(y) in place for n values (tanh and relu; linear leaves y alone). */
export function activate(kind: i32, y: usize, n: i32): void {
  if (kind == 1) {
    tanhArray(y, y, n);
  } else if (kind == 2) {
    // relu: x > 0 ? x : 0, which is pmax(0, x) also for NaN (→ 0) and −0 (→ +0).
    const zero = f64x2.splat(0);
    let i = 0;
    for (; i + 2 <= n; i += 2) {
      const p = y + (<usize>i << 3);
      v128.store(p, f64x2.pmax(zero, v128.load(p)));
    }
    if (i < n) {
      const p = y + (<usize>i << 3);
      const v = load<f64>(p);
      store<f64>(p, v > 0 ? v : 0);
    }
  }
}

/**
 * gz = g · act′ in place for the m × n output gradient g, act′ written in terms of the activation's
 * output y: tanh 1 − y², relu [y > 0], sigmoid y·(1 − y), linear 1. The forms match the unfused
 * rules (tanh: g·(1 − y·y); relu: 0 + g where the input was positive; sigmoid: 0 + g·y·(1 − y)).
 * With `sums` not 0, also sums[j] += Σ_i gz[i, j], rows in order: the bias gradient, in the same
 * pass.
 */
export function outputGradient(kind: i32, g: usize, y: usize, m: i32, n: i32, sums: usize): void {
  if (kind == 0 && sums == 0) return;
  for (let i = 0; i < m; i++) {
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const off = <usize>j << 3;
      const gz = gradPair(kind, v128.load(g + off), v128.load(y + off));
      v128.store(g + off, gz);
      if (sums != 0) v128.store(sums + off, f64x2.add(v128.load(sums + off), gz));
    }
    if (j < n) {
      const off = <usize>j << 3;
      const gz = f64x2.extract_lane(gradPair(kind, v128.load64_splat(g + off), v128.load64_splat(y + off)), 0);
      store<f64>(g + off, gz);
      if (sums != 0) store<f64>(sums + off, load<f64>(sums + off) + gz);
    }
    g += <usize>n << 3;
    y += <usize>n << 3;
  }
}

/** g · act′(y) for two lanes (see outputGradient). */
// @ts-ignore: decorator
@inline function gradPair(kind: i32, gv: v128, yv: v128): v128 {
  const one = f64x2.splat(1);
  const zero = f64x2.splat(0);
  if (kind == 1) return f64x2.mul(gv, f64x2.sub(one, f64x2.mul(yv, yv)));
  if (kind == 2) return v128.and(f64x2.add(zero, gv), f64x2.gt(yv, zero));
  if (kind == 3) return f64x2.add(zero, f64x2.mul(f64x2.mul(gv, yv), f64x2.sub(one, yv)));
  return gv;
}

/**
 * Rows [i0, i1) of a dense layer's output y = act(x·W + b) (x m × k, W k × n with n a multiple of
 * 4, m a multiple of 4 or i1 = m): the bias, the product read in place, then the activation (tanh,
 * relu; sigmoid is left to the caller). A chunk of rows for one of two threads sharing a layer.
 */
export function denseRows(act: i32, m: i32, n: i32, k: i32, x: usize, w: usize, b: usize, y: usize, i0: i32, i1: i32, tile: usize): void {
  const row = <usize>n << 3;
  fillRows(y + <usize>i0 * row, b, i1 - i0, n);
  gemmUnpackedRows(0, m, n, k, x, w, row, 32, y, i0, i1, tile);
  activate(act, y + <usize>i0 * row, (i1 - i0) * n);
}
