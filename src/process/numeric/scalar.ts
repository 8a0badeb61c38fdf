/**
 * One-dimensional search helpers used by the simulators' own optimum finders: golden-section
 * maximisation (Kiefer 1953) and a safeguarded bracketing root finder (Illinois regula falsi,
 * Dowell & Jarratt 1971).
 */

/**
 * Maximises a unimodal f on [lo, hi] by golden-section search to |interval| <= tolerance.
 *
 * @example
 * goldenMaximize((x) => -(x - 2) ** 2, 0, 5).x; // ≈ 2
 */
export function goldenMaximize(
  f: (x: number) => number,
  lo: number,
  hi: number,
  tolerance = 1e-10,
): { x: number; value: number } {
  const invPhi = (Math.sqrt(5) - 1) / 2;
  let a = lo, b = hi;
  let c = b - invPhi * (b - a), d = a + invPhi * (b - a);
  let fc = f(c), fd = f(d);
  for (let i = 0; i < 200 && b - a > tolerance; i++) {
    if (fc >= fd) {
      b = d; d = c; fd = fc; c = b - invPhi * (b - a); fc = f(c);
    } else {
      a = c; c = d; fc = fd; d = a + invPhi * (b - a); fd = f(d);
    }
  }
  const x = fc >= fd ? c : d;
  return { x, value: Math.max(fc, fd) };
}

/**
 * A root of g in [lo, hi] where g(lo) and g(hi) differ in sign (Illinois method), or null if they
 * do not. Converges superlinearly and never leaves the bracket.
 *
 * @example
 * bracketRoot((x) => x * x - 2, 0, 2); // ≈ 1.41421356
 */
export function bracketRoot(g: (x: number) => number, lo: number, hi: number, tolerance = 1e-13): number | null {
  let a = lo, b = hi;
  let ga = g(a), gb = g(b);
  if (ga === 0) return a;
  if (gb === 0) return b;
  if (Math.sign(ga) === Math.sign(gb)) return null;
  let side = 0;
  let c = a;
  for (let i = 0; i < 200; i++) {
    c = (a * gb - b * ga) / (gb - ga);
    const gc = g(c);
    if (gc === 0 || Math.abs(b - a) < tolerance * (1 + Math.abs(c))) return c;
    if (Math.sign(gc) === Math.sign(gb)) {
      b = c; gb = gc;
      if (side === -1) ga /= 2;
      side = -1;
    } else {
      a = c; ga = gc;
      if (side === 1) gb /= 2;
      side = 1;
    }
  }
  return c;
}
