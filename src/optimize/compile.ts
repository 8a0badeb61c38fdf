/**
 * A setpoint problem compiled against a model: every name checked (an unknown one is named),
 * decision variables scaled to u ∈ [0, 1], objective and constraints (chance back-offs and the
 * Mahalanobis trust region included) built from the model's differentiable prediction and scaled
 * to O(1), and the report of a solution. Shared by the augmented-Lagrangian, Nelder–Mead and
 * sequential-LP drivers.
 */
import { CrucibleError } from '../errors.js';
import { backward, noGrad } from '../tensor/autodiff.js';
import { Tensor } from '../tensor/tensor.js';
import { add, matmul, mul, solve, sub, sum } from '../tensor/ops/index.js';
import type { ConstrainedProblem, ProblemEvaluation } from './augmented-lagrangian.js';
import { checkNames, evaluateExpression } from './expression.js';
import type { SetpointProblem } from './problem.js';
import type { ProcessSurrogate } from './surrogate.js';

/** The solver that produced a result. */
export type SolverMethod = 'gradient' | 'nelder-mead' | 'sequential-lp';

/** Mean and covariance of the model inputs over the (federated) training data. */
export interface InputDistribution {
  mean: Float64Array;
  /** Row-major [m, m] covariance. */
  covariance: Float64Array;
}

/** What compiling needs besides problem and model. */
export interface CompileOptions {
  /** Needed when the problem has a trust region. */
  inputDistribution?: InputDistribution;
}

export interface ConstraintReport {
  name: string;
  /** lhs − rhs at the optimum, in the constraint's own units. */
  value: number;
  sense: '<=' | '>=' | '==';
  active: boolean;
  multiplier: number;
  /** For a chance constraint: the probability it is held with, under the model's uncertainty. */
  confidence?: number;
}

export interface SetpointResult {
  variables: Record<string, number>;
  /** The full model input row (variables and context). */
  inputs: Record<string, number>;
  predicted: Record<string, number>;
  objective: number;
  constraints: ConstraintReport[];
  activeConstraints: string[];
  /** Variables at a bound. */
  activeBounds: string[];
  kktResidual: number;
  mahalanobis?: number;
  /** Ensemble standard deviation of each output at the optimum. */
  uncertainty?: Record<string, number>;
  starts: number;
  evaluations: number;
  method: SolverMethod;
}

export interface CompiledConstraint {
  name: string;
  confidence?: number;
  sense: '<=' | '>=' | '==';
  scale: number;
  /** Built from the named values: the scaled function, ≤ 0 or = 0 when feasible. */
  build(values: Map<string, Tensor | number>): Tensor;
}

/** A problem ready for the solvers: scaled variables u ∈ [0, 1], scaled objective and constraints. */
export interface CompiledProblem extends ConstrainedProblem {
  constraintOrder: CompiledConstraint[];
  toPhysical(u: Float64Array): Float64Array;
  report(
    u: Float64Array,
    info: { kkt: number; mu: Float64Array; lambda: Float64Array; starts: number; evaluations: number; method: SolverMethod; ensemble?: readonly ProcessSurrogate[] },
  ): SetpointResult;
}

/**
 * Checks every name against the model and compiles objective and constraints (with chance back-offs
 * and the trust region) into differentiable functions of u, scaled to O(1) at the box centre.
 */
export function compileSetpointProblem(problem: SetpointProblem, surrogate: ProcessSurrogate, options: CompileOptions = {}): CompiledProblem {
  const vars = problem.variables;
  const n = vars.length;
  const varIndex = new Map(vars.map((v, i) => [v.name, i]));
  for (const name of surrogate.inputNames) {
    if (!varIndex.has(name) && !problem.context.has(name)) {
      throw new RangeError(
        `Model input '${name}' is neither a decision variable (${vars.map((v) => v.name).join(', ')}) nor a context value (${[...problem.context.keys()].join(', ') || 'none'})`,
      );
    }
  }
  const sdNames = surrogate.outputNames.map((o) => `sd(${o})`);
  const known = new Set<string>([...varIndex.keys(), ...problem.context.keys(), ...surrogate.outputNames, ...(surrogate.predictStd ? sdNames : [])]);
  const usesSd = [problem.objective.expression, ...problem.constraints.flatMap((c) => [c.lhs, c.rhs])].some((e) => [...e.names].some((n) => n.startsWith('sd(')));
  for (const c of problem.constraints) {
    if (c.chance !== undefined && !surrogate.outputNames.includes(c.chance.output)) {
      throw new RangeError(`constraint '${c.name}': a confidence applies to a model output, and '${c.chance.output}' is not one (outputs: ${surrogate.outputNames.join(', ')})`);
    }
  }
  if (usesSd && surrogate.predictStd === undefined) {
    throw new RangeError('The problem uses sd(…) or a constraint confidence, but the model gives no predictive uncertainty (use an ensemble, or a model with predictStd)');
  }
  checkNames(problem.objective.expression, known, 'objective');
  for (const c of problem.constraints) {
    checkNames(c.lhs, known, `constraint '${c.name}'`);
    checkNames(c.rhs, known, `constraint '${c.name}'`);
  }
  const m = surrogate.inputNames.length;
  const k = surrogate.outputNames.length;
  // Decision variables are optimised in u ∈ [0, 1]: x = lo + u·(hi − lo), for conditioning.
  const lo = new Tensor(1, n, Float64Array.from(vars, (v) => v.min));
  const width = new Tensor(1, n, Float64Array.from(vars, (v) => v.max - v.min));
  // Model input row = x·S + context, with S selecting variables into input positions.
  const select = new Tensor(n, m);
  const contextRow = new Tensor(1, m);
  surrogate.inputNames.forEach((name, j) => {
    const i = varIndex.get(name);
    if (i !== undefined) select.data[i * m + j] = 1;
    else contextRow.data[j] = problem.context.get(name)!;
  });
  const unit = (size: number, i: number): Tensor => {
    const e = new Tensor(size, 1);
    e.data[i] = 1;
    return e;
  };
  const varUnits = vars.map((_, i) => unit(n, i));
  const outUnits = surrogate.outputNames.map((_, i) => unit(k, i));

  const namedValues = (u: Tensor): { values: Map<string, Tensor | number>; inputRow: Tensor; prediction: Tensor } => {
    const x = add(mul(u, width), lo);
    const inputRow = add(matmul(x, select), contextRow);
    const prediction = surrogate.predict(inputRow);
    const values = new Map<string, Tensor | number>(problem.context);
    vars.forEach((v, i) => values.set(v.name, matmul(x, varUnits[i])));
    surrogate.outputNames.forEach((name, i) => values.set(name, matmul(prediction, outUnits[i])));
    if (usesSd) {
      const std = surrogate.predictStd!(inputRow);
      sdNames.forEach((name, i) => values.set(name, matmul(std, outUnits[i])));
    }
    return { values, inputRow, prediction };
  };

  // Scales from the centre of the box, so that objective and constraints are O(1).
  const centre = noGrad(() => namedValues(Tensor.full(1, n, 0.5)));
  const objectiveSign = problem.objective.sense === 'maximize' ? -1 : 1;
  const f0 = evaluateExpression(problem.objective.expression, centre.values, 'objective').item();
  const objectiveScale = Math.max(Math.abs(f0), 1e-3);

  const constraints: CompiledConstraint[] = problem.constraints.map((c) => {
    const l = evaluateExpression(c.lhs, centre.values, `constraint '${c.name}'`).item();
    const r = evaluateExpression(c.rhs, centre.values, `constraint '${c.name}'`).item();
    const scale = Math.max((Math.abs(l) + Math.abs(r)) / 2, 1e-6);
    return {
      name: c.name,
      confidence: c.chance?.confidence,
      sense: c.sense,
      scale,
      build: (values) => {
        const lhs = evaluateExpression(c.lhs, values, c.name);
        const rhs = evaluateExpression(c.rhs, values, c.name);
        return mul(c.sense === '>=' ? sub(rhs, lhs) : sub(lhs, rhs), 1 / scale);
      },
    };
  });
  const distribution = options.inputDistribution;
  if (problem.trustRegion !== undefined) {
    if (distribution === undefined) {
      throw new RangeError('The problem sets trustRegion.maxMahalanobis but no inputDistribution (mean and covariance of the model inputs) was given');
    }
    const precision = new Tensor(m, m, invertSymmetric(distribution.covariance, m));
    const mean = new Tensor(1, m, distribution.mean.slice());
    const r2 = problem.trustRegion.maxMahalanobis ** 2;
    constraints.push({
      name: `mahalanobis <= ${problem.trustRegion.maxMahalanobis}`,
      sense: '<=',
      scale: r2,
      build: (values) => {
        const diff = sub(values.get('__inputRow') as Tensor, mean);
        return mul(sub(sum(mul(matmul(diff, precision), diff)), r2), 1 / r2);
      },
    });
  }
  const inequalities = constraints.filter((c) => c.sense !== '==');
  const equalities = constraints.filter((c) => c.sense === '==');

  const evaluate = (uData: Float64Array): ProblemEvaluation => {
    const u = new Tensor(1, n, uData.slice(), { requiresGrad: true });
    const { values, inputRow } = namedValues(u);
    values.set('__inputRow', inputRow);
    const f = mul(evaluateExpression(problem.objective.expression, values, 'objective'), objectiveSign / objectiveScale);
    const cs = inequalities.map((c) => c.build(values));
    const hs = equalities.map((c) => c.build(values));
    return {
      objective: f.item(),
      inequalities: Float64Array.from(cs, (t) => t.item()),
      equalities: Float64Array.from(hs, (t) => t.item()),
      gradient(weights, out) {
        u.grad = null;
        let total = mul(f, weights.objective);
        cs.forEach((c, i) => {
          if (weights.inequalities[i] !== 0) total = add(total, mul(c, weights.inequalities[i]));
        });
        hs.forEach((h, j) => {
          if (weights.equalities[j] !== 0) total = add(total, mul(h, weights.equalities[j]));
        });
        if (total.requiresGrad) {
          backward(total);
          out.set(u.grad ?? new Float64Array(n));
        } else out.fill(0);
      },
    };
  };

  const toPhysical = (u: Float64Array): Float64Array => Float64Array.from(vars, (v, i) => v.min + u[i] * (v.max - v.min));

  return {
    lower: new Float64Array(n),
    upper: new Float64Array(n).fill(1),
    evaluate,
    constraintOrder: [...inequalities, ...equalities],
    toPhysical,
    report(u, info) {
      const e = noGrad(() => evaluate(u));
      const named = noGrad(() => namedValues(new Tensor(1, n, u.slice())));
      const x = toPhysical(u);
      const inputs = Object.fromEntries(surrogate.inputNames.map((name, j) => [name, named.inputRow.data[j]]));
      const predicted = Object.fromEntries(surrogate.outputNames.map((name, j) => [name, named.prediction.data[j]]));
      const reports: ConstraintReport[] = [];
      inequalities.forEach((c, i) => {
        const v = e.inequalities[i];
        reports.push({
          name: c.name, sense: c.sense, value: (c.sense === '>=' ? -v : v) * c.scale, active: v > -1e-5 || info.mu[i] > 1e-8, multiplier: info.mu[i] ?? 0,
          ...(c.confidence === undefined ? {} : { confidence: c.confidence }),
        });
      });
      equalities.forEach((c, j) => {
        reports.push({ name: c.name, sense: c.sense, value: e.equalities[j] * c.scale, active: true, multiplier: info.lambda[j] ?? 0 });
      });
      let mahalanobis: number | undefined;
      if (distribution !== undefined) {
        const precision = invertSymmetric(distribution.covariance, m);
        let d2 = 0;
        for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) d2 += (named.inputRow.data[a] - distribution.mean[a]) * precision[a * m + b] * (named.inputRow.data[b] - distribution.mean[b]);
        mahalanobis = Math.sqrt(Math.max(d2, 0));
      }
      let uncertainty: Record<string, number> | undefined;
      if (surrogate.predictStd !== undefined && info.ensemble === undefined) {
        const std = noGrad(() => surrogate.predictStd!(new Tensor(1, m, named.inputRow.data.slice()))).data;
        uncertainty = Object.fromEntries(surrogate.outputNames.map((name, j) => [name, std[j]]));
      } else if (info.ensemble !== undefined && info.ensemble.length > 1) {
        const preds = noGrad(() => info.ensemble!.map((s) => s.predict(new Tensor(1, m, named.inputRow.data.slice())).data));
        uncertainty = Object.fromEntries(
          surrogate.outputNames.map((name, j) => {
            const vals = preds.map((p) => p[j]);
            const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
            return [name, Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (vals.length - 1))];
          }),
        );
      }
      return {
        variables: Object.fromEntries(vars.map((v, i) => [v.name, x[i]])),
        inputs,
        predicted,
        objective: (e.objective * objectiveScale) / objectiveSign,
        constraints: reports,
        activeConstraints: reports.filter((r) => r.active).map((r) => r.name),
        activeBounds: vars.filter((_, i) => u[i] <= 1e-9 || u[i] >= 1 - 1e-9).map((v) => v.name),
        kktResidual: info.kkt,
        mahalanobis,
        uncertainty,
        starts: info.starts,
        evaluations: info.evaluations,
        method: info.method,
      };
    },
  };
}

/** The INFEASIBLE error for the least-violating point u: names the constraint that binds most. */
export function infeasibleError(problem: SetpointProblem, compiled: CompiledProblem, u: Float64Array, attempts: string): CrucibleError {
  const final = noGrad(() => compiled.evaluate(u));
  let worst = 0;
  const all = [...final.inequalities, ...Array.from(final.equalities, Math.abs)];
  for (let i = 1; i < all.length; i++) if (all[i] > all[worst]) worst = i;
  const c = compiled.constraintOrder[worst];
  const x = compiled.toPhysical(u);
  const point = Object.fromEntries(problem.variables.map((v, i) => [v.name, x[i]]));
  return new CrucibleError(
    'INFEASIBLE',
    `Optimization problem is infeasible: constraint '${c.name}' cannot be met within the variable bounds` +
      ` (least violation ${formatNumber(all[worst] * c.scale)} over ${attempts}, at ${JSON.stringify(point)})`,
    { constraint: c.name, violation: all[worst] * c.scale, point },
  );
}

/** Inverse of the (symmetric, positive-definite) covariance by the core's LU solve against the identity. */
function invertSymmetric(a: Float64Array, m: number): Float64Array {
  if (a.length !== m * m) throw new RangeError(`inputDistribution.covariance has ${a.length} entries, expected ${m}×${m} = ${m * m}`);
  const identity = new Tensor(m, m);
  for (let i = 0; i < m; i++) identity.data[i * m + i] = 1;
  return noGrad(() => solve(new Tensor(m, m, a.slice()), identity)).data;
}

function formatNumber(v: number): string {
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? v.toPrecision(4) : v.toExponential(3);
}

