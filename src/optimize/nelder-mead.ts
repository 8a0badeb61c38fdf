/**
 * Derivative-free minimisation by the Nelder–Mead simplex (Nelder & Mead 1965, with the adaptive
 * coefficients of Gao & Han 2012) inside box bounds (points are clipped to the box). The fallback for
 * objectives that are not smooth (e.g. with max/abs, or a black-box simulator).
 */

export interface NelderMeadOptions {
  lower?: Float64Array;
  upper?: Float64Array;
  /** Initial simplex edge as a fraction of the box width (or absolute when unbounded). Default 0.1. */
  initialStep?: number;
  /** Stop when the simplex's values differ by less than this. Default 1e-10. */
  valueTolerance?: number;
  /** Stop when the simplex's extent (max-norm) is below this. Default 1e-10. */
  pointTolerance?: number;
  /** Evaluation cap. Default 2000·n. */
  maxEvaluations?: number;
}

export interface NelderMeadResult {
  x: Float64Array;
  value: number;
  evaluations: number;
  converged: boolean;
}

/**
 * @example
 * minimizeNelderMead((x) => Math.abs(x[0] - 1) + Math.abs(x[1] + 2), Float64Array.of(0, 0)).x // ≈ [1, -2]
 */
export function minimizeNelderMead(fn: (x: Float64Array) => number, x0: Float64Array, options: NelderMeadOptions = {}): NelderMeadResult {
  const n = x0.length;
  const lower = options.lower ?? new Float64Array(n).fill(-Infinity);
  const upper = options.upper ?? new Float64Array(n).fill(Infinity);
  const ftol = options.valueTolerance ?? 1e-10;
  const xtol = options.pointTolerance ?? 1e-10;
  const maxEval = options.maxEvaluations ?? 2000 * n;
  const stepFraction = options.initialStep ?? 0.1;
  // Adaptive coefficients (Gao & Han 2012) keep the method effective beyond a few dimensions.
  const alpha = 1;
  const beta = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const delta = 1 - 1 / n;

  const clip = (v: Float64Array): Float64Array => {
    for (let i = 0; i < n; i++) v[i] = Math.min(upper[i], Math.max(lower[i], v[i]));
    return v;
  };
  let evaluations = 0;
  const evaluate = (v: Float64Array): number => {
    evaluations++;
    const f = fn(v);
    return Number.isNaN(f) ? Infinity : f;
  };
  const points: Float64Array[] = [clip(x0.slice())];
  for (let i = 0; i < n; i++) {
    const p = points[0].slice();
    const width = Number.isFinite(upper[i] - lower[i]) ? upper[i] - lower[i] : Math.max(1, Math.abs(p[i]));
    let h = stepFraction * width;
    if (p[i] + h > upper[i]) h = -h;
    p[i] += h;
    points.push(clip(p));
  }
  const values = points.map(evaluate);
  const centroid = new Float64Array(n);
  const along = (c: number, worst: Float64Array): Float64Array => {
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) p[i] = centroid[i] + c * (worst[i] - centroid[i]);
    return clip(p);
  };
  let converged = false;
  while (evaluations < maxEval) {
    const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
    const sortedPoints = order.map((i) => points[i]);
    const sortedValues = order.map((i) => values[i]);
    points.splice(0, points.length, ...sortedPoints);
    values.splice(0, values.length, ...sortedValues);
    let extent = 0;
    for (let j = 1; j <= n; j++) for (let i = 0; i < n; i++) extent = Math.max(extent, Math.abs(points[j][i] - points[0][i]));
    if (Math.abs(values[n] - values[0]) <= ftol * Math.max(1, Math.abs(values[0])) && extent <= Math.max(xtol, 1e-6)) {
      converged = true;
      break;
    }
    if (extent <= xtol) {
      converged = true;
      break;
    }
    centroid.fill(0);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) centroid[i] += points[j][i] / n;
    const worst = points[n];
    const reflected = along(-alpha, worst);
    const fr = evaluate(reflected);
    if (fr < values[0]) {
      const expanded = along(-beta, worst);
      const fe = evaluate(expanded);
      if (fe < fr) {
        points[n] = expanded;
        values[n] = fe;
      } else {
        points[n] = reflected;
        values[n] = fr;
      }
    } else if (fr < values[n - 1]) {
      points[n] = reflected;
      values[n] = fr;
    } else {
      const outside = fr < values[n];
      const contracted = along(outside ? -gamma : gamma, worst);
      const fc = evaluate(contracted);
      if (fc < Math.min(fr, values[n])) {
        points[n] = contracted;
        values[n] = fc;
      } else {
        for (let j = 1; j <= n; j++) {
          for (let i = 0; i < n; i++) points[j][i] = points[0][i] + delta * (points[j][i] - points[0][i]);
          clip(points[j]);
          values[j] = evaluate(points[j]);
        }
      }
    }
  }
  let best = 0;
  for (let j = 1; j < values.length; j++) if (values[j] < values[best]) best = j;
  return { x: points[best], value: values[best], evaluations, converged };
}
