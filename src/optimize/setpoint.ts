/**
 * Setpoint optimization on a trained process model: maximise (or minimise) an objective over decision
 * variables within bounds, subject to constraints on predicted outputs, with exact input gradients from
 * the core's autodiff. Augmented Lagrangian with projected L-BFGS inner steps from seeded multi-starts;
 * Nelder–Mead with an exact penalty as the derivative-free fallback (`sequential-lp.ts` holds the
 * LP-based driver for problems with many linear parts). Candidates can be kept where the model has
 * data (a Mahalanobis trust region on the model inputs), chance constraints back off by the model's
 * predictive uncertainty, and an ensemble gives the model's uncertainty at the optimum.
 */
import { noGrad } from '../tensor/autodiff.js';
import { Rng } from '../tensor/rng.js';
import { maxViolation, minimizeAugmentedLagrangian } from './augmented-lagrangian.js';
import { compileSetpointProblem, infeasibleError, type CompiledProblem, type InputDistribution } from './compile.js';
import { minimizeNelderMead } from './nelder-mead.js';
import type { SetpointProblem } from './problem.js';
import type { ProcessSurrogate } from './surrogate.js';

export type { ConstraintReport, InputDistribution, SetpointResult, SolverMethod } from './compile.js';
import type { SetpointResult } from './compile.js';

export interface SetpointOptions {
  /** 'gradient' (augmented Lagrangian + L-BFGS) or 'nelder-mead' (derivative-free). Default 'gradient'. */
  method?: 'gradient' | 'nelder-mead';
  /** Number of starting points (the first is the box centre or the given initial values). Default 8. */
  starts?: number;
  /** Seed of the random starts. Default 0. */
  seed?: number;
  /** Feasibility tolerance on scaled constraints. Default 1e-6. */
  feasibilityTolerance?: number;
  /** Needed when the problem has a trust region. */
  inputDistribution?: InputDistribution;
  /** Other models (e.g. plant-personalized) whose spread at the optimum is reported as uncertainty. */
  ensemble?: readonly ProcessSurrogate[];
}

/**
 * Finds the best feasible setpoints predicted by `surrogate`. Throws `INFEASIBLE`, naming the binding
 * constraint, when no start reaches a feasible point.
 * @example
 * const result = optimizeSetpoints(parseSetpointProblem(yaml.parse(text)), surrogate, { starts: 8, seed: 1 });
 */
export function optimizeSetpoints(problem: SetpointProblem, surrogate: ProcessSurrogate, options: SetpointOptions = {}): SetpointResult {
  const compiled = compileSetpointProblem(problem, surrogate, options);
  const method = options.method ?? 'gradient';
  const nStarts = options.starts ?? 8;
  const feasTol = options.feasibilityTolerance ?? 1e-6;
  const rng = new Rng(options.seed ?? 0);
  const n = problem.variables.length;
  let best: { u: Float64Array; objective: number; violation: number; kkt: number; mu: Float64Array; lambda: Float64Array } | null = null;
  let evaluations = 0;
  for (let s = 0; s < nStarts; s++) {
    const u0 = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = problem.variables[i];
      u0[i] = s === 0 ? (v.initial !== undefined && v.max > v.min ? (v.initial - v.min) / (v.max - v.min) : 0.5) : rng.uniform();
    }
    let candidate;
    if (method === 'gradient') {
      const r = minimizeAugmentedLagrangian(compiled, u0, { feasibilityTolerance: feasTol });
      evaluations += r.evaluations;
      candidate = { u: r.x, objective: r.objective, violation: r.maxViolation, kkt: r.kktResidual, mu: r.inequalityMultipliers, lambda: r.equalityMultipliers };
    } else {
      candidate = nelderMeadWithPenalty(compiled, u0, feasTol);
      evaluations += candidate.evaluations;
    }
    const better =
      best === null ||
      (candidate.violation <= feasTol && (best.violation > feasTol || candidate.objective < best.objective)) ||
      (candidate.violation > feasTol && best.violation > feasTol && candidate.violation < best.violation);
    if (better) best = candidate;
  }
  const b = best!;
  if (b.violation > feasTol) throw infeasibleError(problem, compiled, b.u, `${nStarts} starts`);
  return compiled.report(b.u, { kkt: b.kkt, mu: b.mu, lambda: b.lambda, starts: nStarts, evaluations, method, ensemble: options.ensemble });
}

/** Nelder–Mead on objective + exact (L1) penalty with a growing weight, for non-smooth problems. */
function nelderMeadWithPenalty(problem: CompiledProblem, u0: Float64Array, feasTol: number) {
  let u = u0;
  let evaluations = 0;
  let weight = 10;
  let e = noGrad(() => problem.evaluate(u));
  for (let round = 0; round < 6; round++) {
    const r = minimizeNelderMead(
      (x) => {
        const ev = noGrad(() => problem.evaluate(x));
        return ev.objective + weight * (sumPositive(ev.inequalities) + sumAbs(ev.equalities));
      },
      u,
      { lower: problem.lower, upper: problem.upper, maxEvaluations: 400 * u.length },
    );
    evaluations += r.evaluations;
    u = r.x;
    e = noGrad(() => problem.evaluate(u));
    if (maxViolation(e.inequalities, e.equalities) <= feasTol) break;
    weight *= 10;
  }
  return {
    u,
    objective: e.objective,
    violation: maxViolation(e.inequalities, e.equalities),
    kkt: NaN,
    mu: new Float64Array(e.inequalities.length),
    lambda: new Float64Array(e.equalities.length),
    evaluations,
  };
}

function sumPositive(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += Math.max(0, x);
  return s;
}

function sumAbs(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += Math.abs(x);
  return s;
}

