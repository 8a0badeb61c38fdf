/**
 * tanh over float64 arrays, two lanes at a time with WebAssembly SIMD.
 *
 * By the addition theorem around the nearest table point below |x|: with k = ⌊64|x|⌋,
 * a = k/64, b = |x| − a ∈ [0, 1/64) (exact), ta = tanh(a) from a table and tb = tanh(b) from its
 * Taylor series to b⁷ (the first term left out, 62/2835·b⁹, is below 8e-17 of tb),
 *   tanh(a + b) = (ta + tb)/(1 + ta·tb) = ta + tb·(1 − ta²)/(1 + ta·tb),
 * the second form so that the rounding of the small correction barely counts. One division per
 * pair of values and no branches: against Math.tanh the relative error stays below 1e-15 (~2 ulp).
 * |x| is clamped to 20, where tanh rounds to 1; NaN stays NaN; the sign of x is put back at the
 * end (tanh(−0) = −0). The TypeScript twin (src/tensor/kernels/tanh.ts) performs the same
 * operations in the same order, so both give identical bits.
 *
 * The loop runs four pairs side by side: each pair is one long chain of dependent operations (the
 * division alone takes ~13 cycles), and interleaving four of them keeps the SIMD units busy
 * (~2.0 ns a value on one core against ~2.6 ns two pairs at a time).
 *
 * The table, tanh(k/64) for k = 0…1280 padded to 2048 entries, is written by the loader at
 * TANH_TABLE (in the first 64 KiB, which the callers' workspaces never use).
 */

/** Byte offset of the table; must match src/tensor/kernels/tanh-table.ts. */
const TANH_TABLE: usize = 1024;
// Taylor coefficients of tanh: −1/3, 2/15, −17/315.
const C3: f64 = -0.3333333333333333;
const C5: f64 = 0.13333333333333333;
const C7: f64 = -0.05396825396825397;

// @ts-ignore: decorator
@inline function tanh2(v: v128): v128 {
  const one = f64x2.splat(1.0);
  const c = f64x2.pmin(f64x2.abs(v), f64x2.splat(20.0));
  const kf = f64x2.floor(f64x2.mul(c, f64x2.splat(64.0)));
  const b = f64x2.sub(c, f64x2.mul(kf, f64x2.splat(0.015625)));
  const s = f64x2.mul(b, b);
  const p = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.splat(C7), s), f64x2.splat(C5)), s), f64x2.splat(C3));
  const tb = f64x2.add(b, f64x2.mul(f64x2.mul(b, s), p));
  // kf + 2^52 holds kf in its low mantissa bits; & 2047 keeps even a NaN's index inside the table
  // (b is NaN then, and so is the result).
  const k = v128.and(f64x2.add(kf, f64x2.splat(4503599627370496.0)), i64x2.splat(2047));
  let ta = v128.load64_zero(TANH_TABLE + (<usize>i64x2.extract_lane(k, 0) << 3));
  ta = v128.load64_lane(TANH_TABLE + (<usize>i64x2.extract_lane(k, 1) << 3), ta, 1);
  const sech2 = f64x2.mul(f64x2.sub(one, ta), f64x2.add(one, ta));
  const r = f64x2.add(ta, f64x2.div(f64x2.mul(tb, sech2), f64x2.add(one, f64x2.mul(ta, tb))));
  return v128.or(r, v128.and(v, i64x2.splat(0x8000000000000000)));
}

/** y[i] = tanh(x[i]) for i < n (x and y may be the same address); four pairs per iteration. */
export function tanhArray(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const off = <usize>i << 3;
    const a = tanh2(v128.load(x + off));
    const b = tanh2(v128.load(x + off, 16));
    const c = tanh2(v128.load(x + off, 32));
    const d = tanh2(v128.load(x + off, 48));
    v128.store(y + off, a);
    v128.store(y + off, b, 16);
    v128.store(y + off, c, 32);
    v128.store(y + off, d, 48);
  }
  for (; i + 2 <= n; i += 2) {
    const off = <usize>i << 3;
    v128.store(y + off, tanh2(v128.load(x + off)));
  }
  if (i < n) {
    const off = <usize>i << 3;
    store<f64>(y + off, f64x2.extract_lane(tanh2(v128.load64_splat(x + off)), 0));
  }
}
