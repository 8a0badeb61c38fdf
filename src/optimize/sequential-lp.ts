/**
 * Sequential linear programming with an exact-penalty trust region (Palacios-Gomez, Lasdon &
 * Engquist, Management Sci. 28, 1982; Fletcher & de la Maza, Math. Prog. 43, 1989): at each
 * iterate the objective and every constraint are linearized with the model's exact gradients, and
 * the LP
 *
 *   min ∇f·d + M (Σ s_i + Σ (p_j + q_j))
 *   s.t. c_i + ∇c_i·d ≤ s_i,  h_j + ∇h_j·d = p_j − q_j,  s, p, q ≥ 0,  |d| ≤ Δ,  bounds
 *
 * is solved exactly by HiGHS. Linear parts of a problem (material prices, availabilities, a CO2
 * account) are linear in the LP, so they are solved exactly; only the learned, nonlinear parts
 * (tap chemistry as a ratio of learned masses, energy per tonne) are approximated, and the trust
 * radius Δ follows how well the linearization predicted the decrease of the penalty function
 * f + M·violation. The elastic slacks keep every LP feasible; a solution whose slacks stay
 * positive as M grows is reported INFEASIBLE, naming the constraint that binds.
 *
 * @example
 * const result = await optimizeSequentialLp(parseSetpointProblem(charge), surrogate);
 */
import { kktResidual, maxViolation } from './augmented-lagrangian.js';
import { compileSetpointProblem, infeasibleError, type CompileOptions, type CompiledProblem, type SetpointResult } from './compile.js';
import { solveLinearProgram, type LpConstraint, type LpVariable } from './lp.js';
import type { SetpointProblem } from './problem.js';
import type { ProcessSurrogate } from './surrogate.js';

export interface SequentialLpOptions extends CompileOptions {
  /** Feasibility tolerance on scaled constraints. Default 1e-6. */
  feasibilityTolerance?: number;
  /** Most LP iterations. Default 200. */
  maxIterations?: number;
  /** Initial trust radius in the unit box of the variables. Default 0.25. */
  initialTrustRadius?: number;
  /** Initial penalty weight M (scaled units); multiplied by 10 while the result is infeasible, up to 1e7. Default 100. */
  penalty?: number;
  /** Other models whose spread at the optimum is reported as uncertainty. */
  ensemble?: readonly ProcessSurrogate[];
}

/** Minimises the problem from its initial values (or the box centre). Throws INFEASIBLE naming the binding constraint. */
export async function optimizeSequentialLp(problem: SetpointProblem, surrogate: ProcessSurrogate, options: SequentialLpOptions = {}): Promise<SetpointResult> {
  const compiled = compileSetpointProblem(problem, surrogate, options);
  const feasTol = options.feasibilityTolerance ?? 1e-6;
  const maxIterations = options.maxIterations ?? 200;
  const n = problem.variables.length;
  let u = Float64Array.from(problem.variables, (v) => (v.initial !== undefined && v.max > v.min ? (v.initial - v.min) / (v.max - v.min) : 0.5));
  let radius = options.initialTrustRadius ?? 0.25;
  let penalty = options.penalty ?? 100;
  let evaluations = 0;
  let duals = { mu: new Float64Array(compiled.constraintOrder.filter((c) => c.sense !== '==').length), lambda: new Float64Array(0) };
  let linear = linearize(compiled, u);
  evaluations++;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const step = await lpStep(compiled, u, linear, radius, penalty);
    duals = { mu: step.mu, lambda: step.lambda };
    const merit0 = linear.objective + penalty * linear.violation1;
    const predicted = merit0 - (linear.objective + step.objective);
    if (!(predicted > 1e-10 * Math.max(1, Math.abs(merit0)))) {
      // Stationary for the penalty function: done if feasible, else insist harder on feasibility.
      if (linear.violationMax <= feasTol || penalty >= 1e7) break;
      penalty *= 10;
      continue;
    }
    const trial = Float64Array.from(u, (v, i) => Math.min(compiled.upper[i], Math.max(compiled.lower[i], v + step.d[i])));
    const next = linearize(compiled, trial);
    evaluations++;
    const actual = merit0 - (next.objective + penalty * next.violation1);
    const ratio = actual / predicted;
    const stepLength = Math.max(...Array.from(step.d, Math.abs));
    if (ratio > 0.1) {
      u = trial;
      linear = next;
      if (ratio > 0.75 && stepLength >= 0.99 * radius) radius = Math.min(2 * radius, 1);
      else if (ratio < 0.25) radius /= 2;
    } else {
      radius = Math.max(stepLength, 1e-12) / 4;
    }
    if (radius < 1e-9) {
      if (linear.violationMax <= feasTol || penalty >= 1e7) break;
      penalty *= 10;
      radius = 1e-3;
    }
  }
  if (linear.violationMax > feasTol) throw infeasibleError(problem, compiled, u, `${iterations} LP iterations, penalty ${penalty}`);
  const kkt = kktResidual(compiled, u, compiled.evaluate(u), duals.mu, duals.lambda);
  return compiled.report(u, { kkt, mu: duals.mu, lambda: duals.lambda, starts: 1, evaluations, method: 'sequential-lp', ensemble: options.ensemble });
}

interface Linearization {
  objective: number;
  gradient: Float64Array;
  inequalities: Float64Array;
  inequalityGradients: Float64Array[];
  equalities: Float64Array;
  equalityGradients: Float64Array[];
  /** Σ c⁺ + Σ |h| and max(c⁺, |h|). */
  violation1: number;
  violationMax: number;
}

/** Values and the gradient of every function at u (one backward pass each, on one tape). */
function linearize(compiled: CompiledProblem, u: Float64Array): Linearization {
  const e = compiled.evaluate(u);
  const n = u.length;
  const ni = e.inequalities.length;
  const ne = e.equalities.length;
  const grad = (objective: number, i: number, j: number): Float64Array => {
    const out = new Float64Array(n);
    const wi = new Float64Array(ni);
    const we = new Float64Array(ne);
    if (i >= 0) wi[i] = 1;
    if (j >= 0) we[j] = 1;
    e.gradient({ objective, inequalities: wi, equalities: we }, out);
    return out;
  };
  let violation1 = 0;
  for (const c of e.inequalities) violation1 += Math.max(0, c);
  for (const h of e.equalities) violation1 += Math.abs(h);
  return {
    objective: e.objective,
    gradient: grad(1, -1, -1),
    inequalities: e.inequalities,
    inequalityGradients: Array.from({ length: ni }, (_, i) => grad(0, i, -1)),
    equalities: e.equalities,
    equalityGradients: Array.from({ length: ne }, (_, j) => grad(0, -1, j)),
    violation1,
    violationMax: maxViolation(e.inequalities, e.equalities),
  };
}

/** The trust-region LP at u; returns the step, the LP objective (without the constant f) and the multipliers. */
async function lpStep(compiled: CompiledProblem, u: Float64Array, l: Linearization, radius: number, penalty: number) {
  const n = u.length;
  const variables: LpVariable[] = [];
  const objective: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    variables.push({ name: `d${i}`, lower: Math.max(compiled.lower[i] - u[i], -radius), upper: Math.min(compiled.upper[i] - u[i], radius) });
    objective[`d${i}`] = l.gradient[i];
  }
  const terms = (g: Float64Array): Record<string, number> => Object.fromEntries(Array.from(g, (v, i) => [`d${i}`, v]));
  const constraints: LpConstraint[] = [];
  l.inequalities.forEach((c, i) => {
    variables.push({ name: `s${i}`, lower: 0 });
    objective[`s${i}`] = penalty;
    constraints.push({ name: `c${i}`, terms: { ...terms(l.inequalityGradients[i]), [`s${i}`]: -1 }, upper: -c });
  });
  l.equalities.forEach((h, j) => {
    variables.push({ name: `p${j}`, lower: 0 }, { name: `q${j}`, lower: 0 });
    objective[`p${j}`] = penalty;
    objective[`q${j}`] = penalty;
    constraints.push({ name: `h${j}`, terms: { ...terms(l.equalityGradients[j]), [`p${j}`]: -1, [`q${j}`]: 1 }, lower: -h, upper: -h });
  });
  const s = await solveLinearProgram({ sense: 'minimize', variables, objective, constraints });
  // HiGHS reports row duals of a minimisation as ∂objective/∂bound: ≤ 0 on an active upper bound.
  return {
    d: Float64Array.from({ length: n }, (_, i) => s.values[`d${i}`]),
    objective: s.objective,
    mu: Float64Array.from(l.inequalities, (_, i) => Math.max(0, -(s.rows[`c${i}`]?.dual ?? 0))),
    lambda: Float64Array.from(l.equalities, (_, j) => -(s.rows[`h${j}`]?.dual ?? 0)),
  };
}
