/**
 * Bound-constrained minimisation by projected L-BFGS: the L-BFGS two-loop direction (Nocedal 1980)
 * restricted to the variables not held at a bound, and a projected backtracking (Armijo) search along
 * P(x + αd) (Bertsekas 1982). A compact relative of L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995) without
 * its generalized Cauchy point: enough for the smooth, low-dimensional problems of setpoint
 * optimisation, and small enough to read. Written by hand: no maintained npm package offers bound-
 * constrained quasi-Newton on float64 with user gradients.
 */

/** The function to minimise: its value and gradient (written into `grad`) at x. */
export type ValueAndGradient = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsbOptions {
  /** Lower bounds (−Infinity for none). Default all −Infinity. */
  lower?: Float64Array;
  /** Upper bounds (+Infinity for none). Default all +Infinity. */
  upper?: Float64Array;
  /** History pairs kept. Default 8. */
  memory?: number;
  /** Stop when the projected gradient's max-norm falls below this. Default 1e-8. */
  gradientTolerance?: number;
  /** Stop when the relative decrease of f over an iteration falls below this. Default 1e-12. */
  valueTolerance?: number;
  /** Iteration cap. Default 500. */
  maxIterations?: number;
}

export interface LbfgsbResult {
  x: Float64Array;
  value: number;
  /** Max-norm of the projected gradient P(x − g) − x at the end. */
  projectedGradient: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  reason: 'gradient' | 'value' | 'max-iterations' | 'line-search';
}

/**
 * Minimises `fn` from `x0` within bounds.
 * @example
 * const r = minimizeLbfgsb((x, g) => { g[0] = 2 * (x[0] - 3); return (x[0] - 3) ** 2; }, Float64Array.of(0), { upper: Float64Array.of(2) });
 * r.x[0] // 2 (the bound binds)
 */
export function minimizeLbfgsb(fn: ValueAndGradient, x0: Float64Array, options: LbfgsbOptions = {}): LbfgsbResult {
  const n = x0.length;
  const lower = options.lower ?? new Float64Array(n).fill(-Infinity);
  const upper = options.upper ?? new Float64Array(n).fill(Infinity);
  if (lower.length !== n || upper.length !== n) {
    throw new RangeError(`minimizeLbfgsb: bounds have ${lower.length}/${upper.length} entries for ${n} variables`);
  }
  for (let i = 0; i < n; i++) {
    if (!(lower[i] <= upper[i])) throw new RangeError(`minimizeLbfgsb: variable ${i} has lower bound ${lower[i]} > upper bound ${upper[i]}`);
  }
  const m = options.memory ?? 8;
  const gtol = options.gradientTolerance ?? 1e-8;
  const ftol = options.valueTolerance ?? 1e-12;
  const maxIter = options.maxIterations ?? 500;

  const project = (v: Float64Array): void => {
    for (let i = 0; i < n; i++) v[i] = Math.min(upper[i], Math.max(lower[i], v[i]));
  };
  const x = x0.slice();
  project(x);
  const g = new Float64Array(n);
  let evaluations = 1;
  let f = fn(x, g);
  if (!Number.isFinite(f)) throw new RangeError(`minimizeLbfgsb: objective is ${f} at the starting point [${Array.from(x).join(', ')}]`);

  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rhoHist: number[] = [];
  const d = new Float64Array(n);
  const free = new Uint8Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha = new Float64Array(m);

  const projectedGradientNorm = (): number => {
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const p = Math.min(upper[i], Math.max(lower[i], x[i] - g[i])) - x[i];
      worst = Math.max(worst, Math.abs(p));
    }
    return worst;
  };

  let iterations = 0;
  let reason: LbfgsbResult['reason'] = 'max-iterations';
  while (iterations < maxIter) {
    if (projectedGradientNorm() <= gtol) {
      reason = 'gradient';
      break;
    }
    iterations++;
    // Variables held at a bound by a gradient that pushes outward stay fixed this iteration.
    for (let i = 0; i < n; i++) {
      const atLower = x[i] <= lower[i] && g[i] > 0;
      const atUpper = x[i] >= upper[i] && g[i] < 0;
      free[i] = atLower || atUpper ? 0 : 1;
    }
    // Two-loop recursion on the free subspace.
    for (let i = 0; i < n; i++) d[i] = free[i] ? -g[i] : 0;
    const k = sHist.length;
    for (let j = k - 1; j >= 0; j--) {
      alpha[j] = rhoHist[j] * dotFree(sHist[j], d, free);
      axpyFree(-alpha[j], yHist[j], d, free);
    }
    if (k > 0) {
      const gamma = dotFree(sHist[k - 1], yHist[k - 1], free) / Math.max(dotFree(yHist[k - 1], yHist[k - 1], free), 1e-300);
      if (gamma > 0 && Number.isFinite(gamma)) for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let j = 0; j < k; j++) {
      const beta = rhoHist[j] * dotFree(yHist[j], d, free);
      axpyFree(alpha[j] - beta, sHist[j], d, free);
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += g[i] * d[i];
    if (!(slope < 0)) {
      // Not a descent direction (curvature information is stale): restart from steepest descent.
      sHist.length = yHist.length = rhoHist.length = 0;
      for (let i = 0; i < n; i++) d[i] = free[i] ? -g[i] : 0;
    }
    // Projected backtracking line search.
    let step = 1;
    let accepted = false;
    let fNew = f;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      project(xNew);
      let decrease = 0;
      for (let i = 0; i < n; i++) decrease += g[i] * (xNew[i] - x[i]);
      fNew = fn(xNew, gNew);
      evaluations++;
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * decrease) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      reason = 'line-search';
      break;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    let sy = 0;
    let ss = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
      sy += s[i] * y[i];
      ss += s[i] * s[i];
      yy += y[i] * y[i];
    }
    const fOld = f;
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    if (sy > 1e-12 * Math.sqrt(ss * yy)) {
      if (sHist.length === m) {
        sHist.shift();
        yHist.shift();
        rhoHist.shift();
      }
      sHist.push(s);
      yHist.push(y);
      rhoHist.push(1 / sy);
    }
    if (Math.abs(fOld - f) <= ftol * Math.max(1, Math.abs(f))) {
      reason = 'value';
      break;
    }
  }
  const pg = projectedGradientNorm();
  if (pg <= gtol) reason = 'gradient';
  return { x, value: f, projectedGradient: pg, iterations, evaluations, converged: reason === 'gradient' || reason === 'value', reason };
}

function dotFree(a: Float64Array, b: Float64Array, free: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) if (free[i]) s += a[i] * b[i];
  return s;
}

function axpyFree(alpha: number, x: Float64Array, y: Float64Array, free: Uint8Array): void {
  for (let i = 0; i < x.length; i++) if (free[i]) y[i] += alpha * x[i];
}
