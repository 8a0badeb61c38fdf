/**
 * Smooth constrained minimisation by the augmented Lagrangian method (Powell–Hestenes–Rockafellar;
 * bounds kept by the inner solver as in LANCELOT/ALGENCAN, Conn, Gould & Toint 1991; Birgin &
 * Martínez 2014): minimise f(x) s.t. c(x) ≤ 0, h(x) = 0, lower ≤ x ≤ upper, with projected L-BFGS
 * inner steps, then report the KKT residual and the active constraints.
 */
import { minimizeLbfgsb } from './lbfgsb.js';

/** Weights of a combined gradient w·∇f + Σ μ_i ∇c_i + Σ λ_j ∇h_j. */
export interface GradientWeights {
  objective: number;
  inequalities: Float64Array;
  equalities: Float64Array;
}

/** One evaluation at x: the values, and a way to get any weighted combination of their gradients. */
export interface ProblemEvaluation {
  objective: number;
  /** c(x); feasible where ≤ 0. */
  inequalities: Float64Array;
  /** h(x); feasible where = 0. */
  equalities: Float64Array;
  /** Writes w·∇f + Σ μ_i ∇c_i + Σ λ_j ∇h_j into `out`. */
  gradient(weights: GradientWeights, out: Float64Array): void;
}

export interface ConstrainedProblem {
  lower: Float64Array;
  upper: Float64Array;
  evaluate(x: Float64Array): ProblemEvaluation;
}

export interface AugmentedLagrangianOptions {
  /** Feasibility tolerance on max(c⁺, |h|). Default 1e-6. */
  feasibilityTolerance?: number;
  /** Optimality tolerance on the projected Lagrangian gradient. Default 1e-6. */
  optimalityTolerance?: number;
  /** Outer iterations. Default 30. */
  maxOuterIterations?: number;
  /** Inner iterations per outer step. Default 300. */
  maxInnerIterations?: number;
  /** Initial penalty. Default 10. */
  initialPenalty?: number;
}

export interface ConstrainedResult {
  x: Float64Array;
  objective: number;
  inequalities: Float64Array;
  equalities: Float64Array;
  /** Multipliers μ ≥ 0 of the inequalities and λ of the equalities. */
  inequalityMultipliers: Float64Array;
  equalityMultipliers: Float64Array;
  /** max(c⁺, |h|). */
  maxViolation: number;
  /** Max-norm of the projected gradient of the Lagrangian, and of the complementarity μ·c. */
  kktResidual: number;
  feasible: boolean;
  converged: boolean;
  outerIterations: number;
  evaluations: number;
}

/** max over c⁺ and |h|. */
export function maxViolation(inequalities: Float64Array, equalities: Float64Array): number {
  let v = 0;
  for (const c of inequalities) v = Math.max(v, c);
  for (const h of equalities) v = Math.max(v, Math.abs(h));
  return v;
}

/**
 * @example
 * // min x² + y² s.t. x + y ≥ 1  →  (0.5, 0.5)
 */
export function minimizeAugmentedLagrangian(
  problem: ConstrainedProblem,
  x0: Float64Array,
  options: AugmentedLagrangianOptions = {},
): ConstrainedResult {
  const feasTol = options.feasibilityTolerance ?? 1e-6;
  const optTol = options.optimalityTolerance ?? 1e-6;
  const maxOuter = options.maxOuterIterations ?? 30;
  const maxInner = options.maxInnerIterations ?? 300;

  const first = problem.evaluate(x0);
  const mu = new Float64Array(first.inequalities.length);
  const lambda = new Float64Array(first.equalities.length);
  let rho = options.initialPenalty ?? 10;
  let x: Float64Array = x0.slice();
  let evaluations = 1;
  let previousViolation = Infinity;
  let outer = 0;
  const weights: GradientWeights = {
    objective: 1,
    inequalities: new Float64Array(mu.length),
    equalities: new Float64Array(lambda.length),
  };
  let last = first;
  for (outer = 1; outer <= maxOuter; outer++) {
    const inner = minimizeLbfgsb(
      (xi, grad) => {
        const e = problem.evaluate(xi);
        evaluations++;
        let value = e.objective;
        for (let i = 0; i < mu.length; i++) {
          const shifted = Math.max(0, mu[i] + rho * e.inequalities[i]);
          value += (shifted * shifted - mu[i] * mu[i]) / (2 * rho);
          weights.inequalities[i] = shifted;
        }
        for (let j = 0; j < lambda.length; j++) {
          const h = e.equalities[j];
          value += lambda[j] * h + 0.5 * rho * h * h;
          weights.equalities[j] = lambda[j] + rho * h;
        }
        e.gradient(weights, grad);
        return value;
      },
      x,
      { lower: problem.lower, upper: problem.upper, maxIterations: maxInner, gradientTolerance: optTol * 0.1 },
    );
    x = inner.x;
    last = problem.evaluate(x);
    evaluations++;
    const violation = maxViolation(last.inequalities, last.equalities);
    for (let i = 0; i < mu.length; i++) mu[i] = Math.max(0, mu[i] + rho * last.inequalities[i]);
    for (let j = 0; j < lambda.length; j++) lambda[j] += rho * last.equalities[j];
    const kkt = kktResidual(problem, x, last, mu, lambda);
    if (violation <= feasTol && kkt <= optTol) break;
    if (violation > 0.25 * previousViolation) rho = Math.min(rho * 10, 1e10);
    previousViolation = violation;
  }
  const violation = maxViolation(last.inequalities, last.equalities);
  const kkt = kktResidual(problem, x, last, mu, lambda);
  return {
    x,
    objective: last.objective,
    inequalities: last.inequalities,
    equalities: last.equalities,
    inequalityMultipliers: mu,
    equalityMultipliers: lambda,
    maxViolation: violation,
    kktResidual: kkt,
    feasible: violation <= feasTol,
    converged: violation <= feasTol && kkt <= Math.max(optTol, 1e-4),
    outerIterations: Math.min(outer, maxOuter),
    evaluations,
  };
}

/** Max of the projected Lagrangian gradient's max-norm and the complementarity |μ_i c_i|. */
export function kktResidual(
  problem: ConstrainedProblem,
  x: Float64Array,
  e: ProblemEvaluation,
  mu: Float64Array,
  lambda: Float64Array,
): number {
  const grad = new Float64Array(x.length);
  e.gradient({ objective: 1, inequalities: mu, equalities: lambda }, grad);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const p = Math.min(problem.upper[i], Math.max(problem.lower[i], x[i] - grad[i])) - x[i];
    worst = Math.max(worst, Math.abs(p));
  }
  for (let i = 0; i < mu.length; i++) worst = Math.max(worst, Math.abs(mu[i] * e.inequalities[i]));
  return worst;
}
