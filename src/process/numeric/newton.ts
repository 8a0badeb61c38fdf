/**
 * Small dense nonlinear-equation solving for the simulators' steady states (4–6 unknowns):
 * Newton's method with a backtracking line search, globalised by pseudo-transient continuation
 * (Kelley & Keyes, SIAM J. Numer. Anal. 35(2), 1998) when plain Newton does not converge.
 *
 * Deliberately tiny and scalar: the systems are a handful of unknowns solved millions of times
 * while generating data, where tensor machinery would only cost time.
 */
import { CrucibleError, isCrucibleError } from '../../errors.js';
import { luFactor, luSolve } from '../../tensor/lu.js';

/** Residual function F(x) written into `out` (length n). */
export type Residual = (x: Float64Array, out: Float64Array) => void;
/** Jacobian dF/dx written row-major into `out` (n×n). */
export type Jacobian = (x: Float64Array, out: Float64Array) => void;

export interface NewtonOptions {
  /** Analytic Jacobian; default: forward differences. */
  jacobian?: Jacobian;
  /** Converged when max |F_i| / scale_i <= tolerance. Default 1e-12. */
  tolerance?: number;
  /** Per-equation residual scales (default 1). */
  residualScale?: Float64Array;
  /** Maximum Newton iterations per phase. Default 60. */
  maxIterations?: number;
  /** Keeps iterates inside a box (e.g. mass fractions >= 0): lower bounds. */
  lower?: Float64Array;
  /** Upper bounds of the box. */
  upper?: Float64Array;
  /**
   * Time-derivative weights of the pseudo-transient fallback: it solves
   * `m_i (x_i - x_i_old)/dt = F_i(x)` with growing dt, i.e. follows the dynamics dx/dt = F/m
   * of a stable plant to its steady state. Default 1.
   */
  transientMass?: Float64Array;
  /** First pseudo-time step of the fallback. Default 1. */
  initialStep?: number;
  /** What is being solved, for error messages (e.g. "Williams–Otto plant wo-1 at F_B=4.1"). */
  label?: string;
}

export interface NewtonResult {
  x: Float64Array;
  /** max_i |F_i(x)| / scale_i at the returned x. */
  residualNorm: number;
  iterations: number;
  /** Whether the pseudo-transient fallback was needed. */
  usedContinuation: boolean;
}

/**
 * Solves F(x) = 0 from `x0`. Throws `CrucibleError('NOT_CONVERGED')` naming `label` if neither
 * Newton nor the pseudo-transient fallback reach the tolerance.
 *
 * @example
 * const r = solveNonlinear((x, f) => { f[0] = x[0] * x[0] - 2; }, Float64Array.of(1));
 * r.x[0]; // 1.41421356...
 */
export function solveNonlinear(residual: Residual, x0: Float64Array, options: NewtonOptions = {}): NewtonResult {
  const n = x0.length;
  const tolerance = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 60;
  const scale = options.residualScale ?? new Float64Array(n).fill(1);
  const jacobian = options.jacobian ?? forwardDifferenceJacobian(residual, n);
  const project = (x: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      if (options.lower && x[i] < options.lower[i]) x[i] = options.lower[i];
      if (options.upper && x[i] > options.upper[i]) x[i] = options.upper[i];
    }
  };
  const norm = (f: Float64Array): number => {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = Math.abs(f[i]) / scale[i];
      if (!(v <= m)) m = Number.isNaN(v) ? Infinity : v;
    }
    return m;
  };

  const x = Float64Array.from(x0);
  project(x);
  const f = new Float64Array(n);
  const J = new Float64Array(n * n);
  const step = new Float64Array(n);
  const trial = new Float64Array(n);
  const fTrial = new Float64Array(n);
  let iterations = 0;

  // Phase 1: damped Newton.
  residual(x, f);
  let fNorm = norm(f);
  for (let it = 0; it < maxIterations && fNorm > tolerance; it++) {
    iterations++;
    jacobian(x, J);
    for (let i = 0; i < n; i++) step[i] = -f[i];
    if (!linearSolveInPlace(J, step, n)) break;
    let lambda = 1;
    let accepted = false;
    for (let k = 0; k < 30; k++, lambda *= 0.5) {
      for (let i = 0; i < n; i++) trial[i] = x[i] + lambda * step[i];
      project(trial);
      residual(trial, fTrial);
      const tNorm = norm(fTrial);
      if (tNorm < (1 - 1e-4 * lambda) * fNorm || tNorm <= tolerance) {
        x.set(trial);
        f.set(fTrial);
        fNorm = tNorm;
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
  }
  if (fNorm <= tolerance) return { x, residualNorm: fNorm, iterations, usedContinuation: false };

  // Phase 2: pseudo-transient continuation from the starting point (implicit Euler steps with
  // switched-evolution-relaxation growth of dt; as dt → ∞ each step becomes a Newton step).
  const mass = options.transientMass ?? new Float64Array(n).fill(1);
  x.set(x0);
  project(x);
  residual(x, f);
  fNorm = norm(f);
  let dt = options.initialStep ?? 1;
  const xOld = new Float64Array(n);
  for (let it = 0; it < 40 * maxIterations && fNorm > tolerance; it++) {
    iterations++;
    xOld.set(x);
    // Newton on G(y) = m (y - xOld)/dt - F(y), a few iterations.
    let ok = false;
    trial.set(xOld);
    for (let inner = 0; inner < 8; inner++) {
      residual(trial, fTrial);
      jacobian(trial, J);
      let gNorm = 0;
      for (let i = 0; i < n; i++) {
        step[i] = -(mass[i] * (trial[i] - xOld[i]) / dt - fTrial[i]);
        gNorm = Math.max(gNorm, Math.abs(step[i]) / scale[i]);
        for (let j = 0; j < n; j++) J[i * n + j] = -J[i * n + j];
        J[i * n + i] += mass[i] / dt;
      }
      if (gNorm <= tolerance) { ok = true; break; }
      if (!linearSolveInPlace(J, step, n)) break;
      for (let i = 0; i < n; i++) trial[i] += step[i];
      project(trial);
      if (inner === 7) ok = true;
    }
    residual(trial, fTrial);
    const tNorm = norm(fTrial);
    if (ok && Number.isFinite(tNorm)) {
      x.set(trial);
      f.set(fTrial);
      dt = tNorm < fNorm ? Math.min(dt * Math.min(10, fNorm / Math.max(tNorm, 1e-300)), 1e15) : dt * 0.5;
      fNorm = tNorm;
    } else {
      dt *= 0.25;
    }
  }
  if (fNorm <= tolerance) return { x, residualNorm: fNorm, iterations, usedContinuation: true };
  throw new CrucibleError(
    'NOT_CONVERGED',
    `${options.label ?? 'steady state'}: residual ${fNorm.toExponential(3)} above tolerance ${tolerance} after ${iterations} iterations`,
    { label: options.label, residualNorm: fNorm, iterations },
  );
}

/**
 * Forward-difference Jacobian of `residual` (step √ε·max(1,|x|)), the default of `solveNonlinear`.
 *
 * @example
 * solveNonlinear(f, x0, { jacobian: forwardDifferenceJacobian(f, x0.length) });
 */
export function forwardDifferenceJacobian(residual: Residual, n: number): Jacobian {
  const f0 = new Float64Array(n);
  const f1 = new Float64Array(n);
  const xp = new Float64Array(n);
  return (x, out) => {
    residual(x, f0);
    xp.set(x);
    for (let j = 0; j < n; j++) {
      const h = 1.4901161193847656e-8 * Math.max(1, Math.abs(x[j]));
      xp[j] = x[j] + h;
      residual(xp, f1);
      for (let i = 0; i < n; i++) out[i * n + j] = (f1[i] - f0[i]) / h;
      xp[j] = x[j];
    }
  };
}

/**
 * Solves J y = b in place (b overwritten by y) with the core LU (src/tensor/lu.ts). Returns false
 * when J is singular or non-finite — for Newton that means "this step failed", not an error.
 */
function linearSolveInPlace(J: Float64Array, b: Float64Array, n: number): boolean {
  try {
    luSolve(luFactor(J, n, 'Newton step'), b, 1, false);
    return true;
  } catch (e) {
    if (isCrucibleError(e) || e instanceof RangeError) return false;
    throw e;
  }
}
