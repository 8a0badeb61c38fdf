/**
 * tanh over float64 arrays, two lanes at a time with WebAssembly SIMD.
 *
 * By the addition theorem around the nearest table point below |x|: with k = ⌊32|x|⌋,
 * a = k/32, b = |x| − a ∈ [0, 1/32) (exact), ta = tanh(a) from a table and tb = tanh(b) from its
 * Taylor series to b⁹ (truncation below 1e-20 relative),
 *   tanh(a + b) = (ta + tb)/(1 + ta·tb) = ta + tb·(1 − ta²)/(1 + ta·tb),
 * the second form so that the rounding of the small correction barely counts. One division per
 * pair of values and no branches: against exact values the error is at most ~2.2 ulp (Math.tanh's
 * own is ~2 ulp). |x| is clamped to 20, where tanh rounds to 1; NaN stays NaN; the sign of x is
 * put back at the end (tanh(−0) = −0). The TypeScript twin (src/tensor/kernels/tanh.ts) performs
 * the same operations in the same order, so both give identical bits.
 *
 * The table, tanh(k/32) for k = 0…640 padded to 1024 entries, is written by the loader at
 * TANH_TABLE (in the first 64 KiB, which the callers' workspaces never use).
 */

/** Byte offset of the table; must match src/tensor/kernels/tanh-table.ts. */
const TANH_TABLE: usize = 1024;
// Taylor coefficients of tanh: −1/3, 2/15, −17/315, 62/2835.
const C3: f64 = -0.3333333333333333;
const C5: f64 = 0.13333333333333333;
const C7: f64 = -0.05396825396825397;
const C9: f64 = 0.021869488536155203;

// @ts-ignore: decorator
@inline function tanh2(v: v128): v128 {
  const one = f64x2.splat(1.0);
  const c = f64x2.pmin(f64x2.abs(v), f64x2.splat(20.0));
  const kf = f64x2.floor(f64x2.mul(c, f64x2.splat(32.0)));
  const b = f64x2.sub(c, f64x2.mul(kf, f64x2.splat(0.03125)));
  const s = f64x2.mul(b, b);
  const p = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.splat(C9), s), f64x2.splat(C7)), s), f64x2.splat(C5)), s), f64x2.splat(C3));
  const tb = f64x2.add(b, f64x2.mul(f64x2.mul(b, s), p));
  // kf + 2^52 holds kf in its low mantissa bits; & 1023 keeps even a NaN's index inside the table
  // (b is NaN then, and so is the result).
  const k = v128.and(f64x2.add(kf, f64x2.splat(4503599627370496.0)), i64x2.splat(1023));
  let ta = v128.load64_zero(TANH_TABLE + (<usize>i64x2.extract_lane(k, 0) << 3));
  ta = v128.load64_lane(TANH_TABLE + (<usize>i64x2.extract_lane(k, 1) << 3), ta, 1);
  const sech2 = f64x2.mul(f64x2.sub(one, ta), f64x2.add(one, ta));
  const r = f64x2.add(ta, f64x2.div(f64x2.mul(tb, sech2), f64x2.add(one, f64x2.mul(ta, tb))));
  return v128.or(r, v128.and(v, i64x2.splat(0x8000000000000000)));
}

/** y[i] = tanh(x[i]) for i < n (x and y may be the same address); two pairs per iteration. */
export function tanhArray(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 3;
    const lo = tanh2(v128.load(x + off));
    const hi = tanh2(v128.load(x + off, 16));
    v128.store(y + off, lo);
    v128.store(y + off, hi, 16);
  }
  for (; i < n; i++) {
    const off = <usize>i << 3;
    store<f64>(y + off, f64x2.extract_lane(tanh2(v128.load64_splat(x + off)), 0));
  }
}
