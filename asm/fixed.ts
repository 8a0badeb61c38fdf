/**
 * SecAgg's fixed-point encoding (src/privacy/secagg/fixedPoint.ts) two values at a time with
 * WebAssembly SIMD: out[i] = round(clamp(x[i]·weight, ±c)·scale) as a 32-bit two's-complement word,
 * rounding half to even. The TypeScript loop performs the same float64 operations in the same
 * order (multiply by the weight, clamp, multiply by the scale, round to nearest even), and the
 * bit budget keeps |result| < 2^31, so both give the same words. Returns 1 if any x[i]·weight is
 * not finite (the caller then names it), else 0.
 */

/** Words of x[0, n) into out (n values, 4-byte words); see the module comment. */
export function encodeFixed(x: usize, out: usize, n: i32, weight: f64, c: f64, scale: f64): i32 {
  const w = f64x2.splat(weight);
  const hi = f64x2.splat(c);
  const lo = f64x2.splat(-c);
  const s = f64x2.splat(scale);
  let bad = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const src = x + (<usize>i << 3);
    const a = f64x2.mul(v128.load(src), w);
    const b = f64x2.mul(v128.load(src, 16), w);
    bad = f64x2.add(bad, f64x2.add(f64x2.sub(a, a), f64x2.sub(b, b)));
    // pmax(lo, v) = lo < v ? v : lo and pmin(hi, v) = v < hi ? v : hi: Math.max/min for finite v.
    const ia = i32x4.trunc_sat_f64x2_s_zero(f64x2.nearest(f64x2.mul(f64x2.pmin(hi, f64x2.pmax(lo, a)), s)));
    const ib = i32x4.trunc_sat_f64x2_s_zero(f64x2.nearest(f64x2.mul(f64x2.pmin(hi, f64x2.pmax(lo, b)), s)));
    v128.store(out + (<usize>i << 2), i8x16.shuffle(ia, ib, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  }
  for (; i < n; i++) {
    const v = load<f64>(x + (<usize>i << 3)) * weight;
    bad = f64x2.add(bad, f64x2.splat(v - v));
    const word = i32x4.trunc_sat_f64x2_s_zero(f64x2.nearest(f64x2.mul(f64x2.pmin(hi, f64x2.pmax(lo, f64x2.splat(v))), s)));
    store<i32>(out + (<usize>i << 2), i32x4.extract_lane(word, 0));
  }
  return f64x2.extract_lane(bad, 0) == 0 && f64x2.extract_lane(bad, 1) == 0 ? 0 : 1;
}
