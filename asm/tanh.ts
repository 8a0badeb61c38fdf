/**
 * tanh over float64 arrays, two lanes at a time with WebAssembly SIMD.
 *
 * Cephes' double-precision tanh (S. L. Moshier, Cephes Math Library): a rational approximation
 * x + x³·P(x²)/Q(x²) for |x| ≤ 0.625, else 1 − 2/(e^{2|x|} + 1) with Cephes' exp (a Padé form
 * after reducing by multiples of ln 2). Both branches are computed and selected per lane, so the
 * loop has no data-dependent branches; each branch is kept as numerator/denominator so a pair of
 * values costs one division instead of three. Relative error stays within a few ulp of Math.tanh; the
 * TypeScript fallback (src/tensor/kernels/tanh.ts) performs the same operations in the same order,
 * so both give identical bits.
 */

// @ts-ignore: decorator
@inline function tanh2(v: v128): v128 {
  const ax = f64x2.abs(v);
  // Large |x|: (e^{2|x|} − 1)/(e^{2|x|} + 1); |x| ≥ 20 rounds to 1 anyway, so clamp to keep e^{2|x|} finite.
  // pmin (a single minpd) is enough: a NaN lane goes to the small-|x| branch and stays NaN there.
  let t = f64x2.mul(f64x2.pmin(ax, f64x2(20.0, 20.0)), f64x2(2.0, 2.0));
  // k = round(t·log2 e) by the 1.5·2^52 shifter: k lands in the low mantissa bits (Cephes uses floor(·+½)).
  const shifted = f64x2.add(f64x2.mul(t, f64x2(1.4426950408889634, 1.4426950408889634)), f64x2(6755399441055744.0, 6755399441055744.0));
  const kf = f64x2.sub(shifted, f64x2(6755399441055744.0, 6755399441055744.0));
  t = f64x2.sub(f64x2.sub(t, f64x2.mul(kf, f64x2(6.93145751953125e-1, 6.93145751953125e-1))), f64x2.mul(kf, f64x2(1.42860682030941723212e-6, 1.42860682030941723212e-6)));
  const xx = f64x2.mul(t, t);
  const px = f64x2.mul(
    t,
    f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2(1.26177193074810590878e-4, 1.26177193074810590878e-4), xx), f64x2(3.02994407707441961300e-2, 3.02994407707441961300e-2)), xx), f64x2(9.99999999999999999910e-1, 9.99999999999999999910e-1)),
  );
  const qx = f64x2.add(
    f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2(3.00198505138664455042e-6, 3.00198505138664455042e-6), xx), f64x2(2.52448340349684104192e-3, 2.52448340349684104192e-3)), xx), f64x2(2.27265548208155028766e-1, 2.27265548208155028766e-1)), xx),
    f64x2(2.00000000000000000009e0, 2.00000000000000000009e0),
  );
  // e^{2|x|} = 2^k·(Q + P)/(Q − P); tanh = (e − 1)/(e + 1) = (2^k(Q + P) − (Q − P))/(2^k(Q + P) + (Q − P)).
  // 2^k from the shifter's low bits: (bits + 1023) << 52 pushes the shifter's own exponent out.
  const scaled = f64x2.mul(f64x2.add(qx, px), i64x2.shl(i64x2.add(shifted, i64x2(1023, 1023)), 52));
  const qm = f64x2.sub(qx, px);
  const bigNum = f64x2.sub(scaled, qm);
  const bigDen = f64x2.add(scaled, qm);
  // Small |x|: x + x·s·P(s)/Q(s) = x·(Q(s) + s·P(s))/Q(s), s = x².
  const s = f64x2.mul(ax, ax);
  const ps = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2(-9.64399179425052238628e-1, -9.64399179425052238628e-1), s), f64x2(-9.92877231001918586564e1, -9.92877231001918586564e1)), s), f64x2(-1.61468768441708447952e3, -1.61468768441708447952e3));
  const qs = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(s, f64x2(1.12811678491632931402e2, 1.12811678491632931402e2)), s), f64x2(2.23548839060100448583e3, 2.23548839060100448583e3)), s), f64x2(4.84406305325125486048e3, 4.84406305325125486048e3));
  const smallNum = f64x2.mul(ax, f64x2.add(qs, f64x2.mul(s, ps)));
  // Pick each lane's branch before the one division.
  const big = f64x2.gt(ax, f64x2(0.625, 0.625));
  const r = f64x2.div(v128.bitselect(bigNum, smallNum, big), v128.bitselect(bigDen, qs, big));
  // Odd function: put the sign of x back (tanh(−0) = −0).
  return v128.or(r, v128.and(v, i64x2(0x8000000000000000, 0x8000000000000000)));
}

/** y[i] = tanh(x[i]) for i < n (x and y may be the same address). */
export function tanhArray(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const off = <usize>i << 3;
    v128.store(y + off, tanh2(v128.load(x + off)));
  }
  if (i < n) {
    const off = <usize>i << 3;
    store<f64>(y + off, f64x2.extract_lane(tanh2(v128.load64_splat(x + off)), 0));
  }
}
