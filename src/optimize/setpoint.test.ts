import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../tensor/tensor.js';
import { add, matmul, square, sub } from '../tensor/ops/index.js';
import { isCrucibleError } from '../errors.js';
import { parseSetpointProblem } from './problem.js';
import { optimizeSetpoints } from './setpoint.js';
import type { ProcessSurrogate } from './surrogate.js';

/** A known model: bowl = (x − 1)² + (y − 2)², total = x + y. */
const bowl: ProcessSurrogate = {
  inputNames: ['x', 'y'],
  outputNames: ['bowl', 'total'],
  predict(inputs: Tensor): Tensor {
    const centre = Tensor.from([[1, 2]]);
    const sq = square(sub(inputs, centre));
    const bowlCol = matmul(sq, Tensor.from([[1, 0], [1, 0]]));
    const totalCol = matmul(inputs, Tensor.from([[0, 1], [0, 1]]));
    return add(bowlCol, totalCol);
  },
};

const base = {
  variables: { x: { min: 0, max: 3 }, y: { min: 0, max: 3 } },
  objective: { minimize: 'bowl' },
};

test('the optimizer finds the known constrained optimum, its multiplier and the active constraint', () => {
  const problem = parseSetpointProblem({ ...base, constraints: ['total <= 2'] });
  const r = optimizeSetpoints(problem, bowl, { starts: 4, seed: 3 });
  assert.ok(Math.abs(r.variables.x - 0.5) < 1e-5 && Math.abs(r.variables.y - 1.5) < 1e-5, JSON.stringify(r.variables));
  assert.ok(Math.abs(r.objective - 0.5) < 1e-6);
  assert.deepEqual(r.activeConstraints, ['total <= 2']);
  assert.ok(r.kktResidual < 1e-5, `KKT residual ${r.kktResidual}`);
  assert.ok(Math.abs(r.predicted.total - 2) < 1e-6);
});

test('maximisation and context values are honoured', () => {
  const problem = parseSetpointProblem({
    variables: { x: { min: 0, max: 3 } },
    context: { y: 2 },
    objective: { maximize: 'price * total - bowl' },
    constraints: [],
  });
  // price is unknown: the error names it.
  assert.throws(() => optimizeSetpoints(problem, bowl), /unknown variable 'price'/);
  const ok = parseSetpointProblem({ variables: { x: { min: 0, max: 3 } }, context: { y: 2 }, objective: { maximize: 'total - bowl' } });
  // d/dx [x + 2 − (x − 1)²] = 1 − 2(x − 1) = 0 → x = 1.5
  const r = optimizeSetpoints(ok, bowl, { starts: 2 });
  assert.ok(Math.abs(r.variables.x - 1.5) < 1e-5);
});

test('an infeasible problem is reported as infeasible, naming the binding constraint', () => {
  const problem = parseSetpointProblem({ ...base, constraints: ['bowl <= 4', 'total >= 10'] });
  assert.throws(
    () => optimizeSetpoints(problem, bowl, { starts: 3 }),
    (e: unknown) => isCrucibleError(e, 'INFEASIBLE') && /total >= 10/.test((e as Error).message),
  );
});

test('the derivative-free fallback agrees with the gradient method', () => {
  const problem = parseSetpointProblem({ ...base, constraints: ['total <= 2'] });
  const r = optimizeSetpoints(problem, bowl, { method: 'nelder-mead', starts: 3, seed: 1 });
  assert.ok(Math.abs(r.variables.x - 0.5) < 1e-3 && Math.abs(r.variables.y - 1.5) < 1e-3, JSON.stringify(r.variables));
});

test('a Mahalanobis trust region keeps the optimum near the data', () => {
  const problem = parseSetpointProblem({ ...base, objective: { maximize: 'total' }, trustRegion: { maxMahalanobis: 1 } });
  const inputDistribution = { mean: Float64Array.of(1, 1), covariance: Float64Array.of(0.25, 0, 0, 0.25) };
  const r = optimizeSetpoints(problem, bowl, { inputDistribution, starts: 3 });
  // max x + y on the circle (x−1)² + (y−1)² ≤ 0.25 → x = y = 1 + 0.5/√2
  const expected = 1 + 0.5 / Math.SQRT2;
  assert.ok(Math.abs(r.variables.x - expected) < 1e-4 && Math.abs(r.variables.y - expected) < 1e-4, JSON.stringify(r.variables));
  assert.ok(Math.abs((r.mahalanobis ?? 0) - 1) < 1e-4);
});

test('problem files are validated with errors that name the key', () => {
  assert.throws(() => parseSetpointProblem({ variables: { x: { min: 2, max: 1 } }, objective: { minimize: 'x' } }), /variables\.x/);
  assert.throws(() => parseSetpointProblem({ variables: { x: { min: 0, max: 1 } }, objective: { minimise: 'x' } }), /objective/);
  assert.throws(() => parseSetpointProblem({ ...base, constraints: ['total 2'] }), /no comparison/);
});

/** The bowl with a known, input-dependent uncertainty: sd(total) = 0.1·x, sd(bowl) = 0.05. */
const uncertainBowl: ProcessSurrogate = {
  ...bowl,
  predictStd: (inputs: Tensor): Tensor => add(matmul(inputs, Tensor.from([[0, 0.1], [0, 0]])), Tensor.from([[0.05, 0]])),
};

test('a chance constraint backs off by z·sd, here sd(total) = 0.1·x, to the known optimum', () => {
  const problem = parseSetpointProblem({ ...base, constraints: [{ expression: 'total <= 2', confidence: 0.975 }] });
  const r = optimizeSetpoints(problem, uncertainBowl, { starts: 4, seed: 2 });
  // min (x−1)² + (y−2)² s.t. x + y + z·0.1·x ≤ 2, z = Φ⁻¹(0.975): the projection of (1, 2) on the line (1 + 0.1z)x + y = 2.
  const z = 1.959963984540054;
  const a = 1 + 0.1 * z;
  const t = (a * 1 + 2 - 2) / (a * a + 1);
  assert.ok(Math.abs(r.variables.x - (1 - a * t)) < 1e-5 && Math.abs(r.variables.y - (2 - t)) < 1e-5, JSON.stringify(r.variables));
  assert.equal(r.constraints[0].confidence, 0.975);
  assert.ok(Math.abs((r.uncertainty?.total ?? 0) - 0.1 * r.variables.x) < 1e-12);
  // sd() written by hand gives the same point.
  const explicit = optimizeSetpoints(parseSetpointProblem({ ...base, constraints: [`total + ${z} * sd(total) <= 2`] }), uncertainBowl, { starts: 4, seed: 2 });
  assert.ok(Math.abs(explicit.variables.x - r.variables.x) < 1e-6);
});

test('chance constraints are refused where they cannot mean anything, naming why', () => {
  const chance = parseSetpointProblem({ ...base, constraints: [{ expression: 'total <= 2', confidence: 0.9 }] });
  assert.throws(() => optimizeSetpoints(chance, bowl), /gives no predictive uncertainty/);
  assert.throws(() => parseSetpointProblem({ ...base, constraints: [{ expression: 'total + bowl <= 2', confidence: 0.9 }] }), /single model output/);
  assert.throws(() => parseSetpointProblem({ ...base, constraints: [{ expression: 'total == 2', confidence: 0.9 }] }), /equality/);
  const onInput = parseSetpointProblem({ ...base, constraints: [{ expression: 'x <= 2', confidence: 0.9 }] });
  assert.throws(() => optimizeSetpoints(onInput, uncertainBowl), /'x' is not one/);
  assert.throws(() => parseSetpointProblem({ ...base, constraints: ['sd(total + 1) <= 1'] }), /sd\(\) takes one output name/);
});
