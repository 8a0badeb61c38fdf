/**
 * Nelder–Mead simplex minimisation (Nelder & Mead, Comput. J. 7, 1965) with the standard
 * coefficients (reflection 1, expansion 2, contraction ½, shrink ½), for the few-variable
 * optimum searches of the simulators where derivatives are not at hand.
 */

export interface NelderMeadOptions {
  /** Initial simplex edge per coordinate. Default 0.05·max(1, |x0_i|). */
  initialStep?: ArrayLike<number>;
  /** Stops when the simplex's spread in f and in x are both below these. Default 1e-12, 1e-10. */
  functionTolerance?: number;
  pointTolerance?: number;
  /** Default 2000·n. */
  maxEvaluations?: number;
}

/**
 * Minimises f from x0; returns the best vertex.
 *
 * @example
 * nelderMead((x) => (x[0] - 1) ** 2 + (x[1] + 2) ** 2, [0, 0]).x; // ≈ [1, -2]
 */
export function nelderMead(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  options: NelderMeadOptions = {},
): { x: Float64Array; value: number; evaluations: number } {
  const n = x0.length;
  const maxEvaluations = options.maxEvaluations ?? 2000 * n;
  const fTol = options.functionTolerance ?? 1e-12;
  const xTol = options.pointTolerance ?? 1e-10;
  const pts: Float64Array[] = [];
  const vals: number[] = [];
  let evaluations = 0;
  const evalAt = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  pts.push(Float64Array.from(x0));
  for (let i = 0; i < n; i++) {
    const p = Float64Array.from(x0);
    p[i] += options.initialStep ? options.initialStep[i] : 0.05 * Math.max(1, Math.abs(p[i]));
    pts.push(p);
  }
  for (const p of pts) vals.push(evalAt(p));
  const centroid = new Float64Array(n);
  const along = (t: number): Float64Array => {
    const worst = pts[n];
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = centroid[i] + t * (worst[i] - centroid[i]);
    return out;
  };
  while (evaluations < maxEvaluations) {
    const order = vals.map((v, i) => i).sort((a, b) => vals[a] - vals[b]);
    const sortedPts = order.map((i) => pts[i]);
    const sortedVals = order.map((i) => vals[i]);
    for (let i = 0; i <= n; i++) { pts[i] = sortedPts[i]; vals[i] = sortedVals[i]; }
    let spread = 0;
    for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) spread = Math.max(spread, Math.abs(pts[i][j] - pts[0][j]));
    if (Math.abs(vals[n] - vals[0]) <= fTol * (1 + Math.abs(vals[0])) && spread <= xTol) break;
    centroid.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += pts[i][j] / n;
    const xr = along(-1);
    const fr = evalAt(xr);
    if (fr < vals[0]) {
      const xe = along(-2);
      const fe = evalAt(xe);
      if (fe < fr) { pts[n] = xe; vals[n] = fe; } else { pts[n] = xr; vals[n] = fr; }
    } else if (fr < vals[n - 1]) {
      pts[n] = xr; vals[n] = fr;
    } else {
      const outside = fr < vals[n];
      const xc = along(outside ? -0.5 : 0.5);
      const fc = evalAt(xc);
      if (fc < (outside ? fr : vals[n])) {
        pts[n] = xc; vals[n] = fc;
      } else {
        for (let i = 1; i <= n; i++) {
          for (let j = 0; j < n; j++) pts[i][j] = pts[0][j] + 0.5 * (pts[i][j] - pts[0][j]);
          vals[i] = evalAt(pts[i]);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (vals[i] < vals[best]) best = i;
  return { x: pts[best], value: vals[best], evaluations };
}
