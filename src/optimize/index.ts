/**
 * Optimization on trained process models: setpoint problems (YAML/TS) with chance constraints,
 * the augmented-Lagrangian, Nelder–Mead and sequential-LP (HiGHS) solvers, ensembles as
 * uncertain surrogates, exact LPs, and the charge-mix problem with its cost–CO2 Pareto front.
 * See docs/optimization.md.
 */
export { parseSetpointProblem, setpointProblemSchema, parseConstraint, chanceConstraint, type SetpointProblem, type SetpointProblemInput, type Constraint } from './problem.js';
export { parseExpression, evaluateExpression, checkNames, type Expression, type ExpressionNode } from './expression.js';
export { optimizeSetpoints, type SetpointOptions } from './setpoint.js';
export type { ConstraintReport, InputDistribution, SetpointResult, SolverMethod } from './compile.js';
export { optimizeSequentialLp, type SequentialLpOptions } from './sequential-lp.js';
export { optimizeCharge, chargeParetoFront, chargeSetpointProblem, chargeExpressions, co2PerCarbon, type ChargeMaterial, type ChargeProblem, type ChargeRecommendation, type OutputBound, type ParetoPoint } from './charge.js';
export { ensembleSurrogate } from './ensemble.js';
export { normalQuantile } from './chance.js';
export { predictiveCoverage, type CoverageSummary } from './coverage.js';
export { solveLinearProgram, toLpFormat, loadHighs, type LinearProgram, type LpConstraint, type LpSolution, type LpVariable } from './lp.js';
export type { ProcessSurrogate } from './surrogate.js';
export { minimizeLbfgsb } from './lbfgsb.js';
export { minimizeNelderMead } from './nelder-mead.js';
export { minimizeAugmentedLagrangian, type ConstrainedProblem, type ConstrainedResult, type ProblemEvaluation } from './augmented-lagrangian.js';
