import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../tensor/tensor.js';
import { add, matmul, square, sub } from '../tensor/ops/index.js';
import { isCrucibleError } from '../errors.js';
import { parseSetpointProblem } from './problem.js';
import { optimizeSequentialLp } from './sequential-lp.js';
import type { ProcessSurrogate } from './surrogate.js';

const bowl: ProcessSurrogate = {
  inputNames: ['x', 'y'],
  outputNames: ['bowl', 'total'],
  predict: (inputs) => add(matmul(square(sub(inputs, Tensor.from([[1, 2]]))), Tensor.from([[1, 0], [1, 0]])), matmul(inputs, Tensor.from([[0, 1], [0, 1]]))),
};
const box = { x: { min: 0, max: 3 }, y: { min: 0, max: 3 } };

test('sequential LP reaches an interior-of-a-face optimum of a nonlinear objective', async () => {
  const r = await optimizeSequentialLp(parseSetpointProblem({ variables: box, objective: { minimize: 'bowl' }, constraints: ['total <= 2'] }), bowl);
  assert.ok(Math.abs(r.variables.x - 0.5) < 1e-4 && Math.abs(r.variables.y - 1.5) < 1e-4, JSON.stringify(r.variables));
  assert.deepEqual(r.activeConstraints, ['total <= 2']);
  assert.equal(r.method, 'sequential-lp');
});

test('sequential LP finds a vertex of a linear objective on a nonlinear constraint exactly', async () => {
  // min x + 2y s.t. x + y ≥ 2, (x−1)² + (y−2)² ≤ 2. Both bind: on x + y = 2 the circle reads
  // 2x² − 2x − 1 ≤ 0, and 4 − x is least at its root x = (1 + √3)/2.
  const r = await optimizeSequentialLp(parseSetpointProblem({ variables: box, objective: { minimize: 'x + 2 * y' }, constraints: ['total >= 2', 'bowl <= 2'] }), bowl);
  const x = (1 + Math.sqrt(3)) / 2;
  assert.ok(Math.abs(r.variables.x - x) < 1e-7 && Math.abs(r.variables.y - (2 - x)) < 1e-7, `${JSON.stringify(r.variables)} vs x = ${x}`);
  assert.ok(r.kktResidual < 1e-8, `KKT ${r.kktResidual}`);
});

test('sequential LP reports an infeasible problem as INFEASIBLE, naming the constraint', async () => {
  await assert.rejects(
    optimizeSequentialLp(parseSetpointProblem({ variables: box, objective: { minimize: 'bowl' }, constraints: ['bowl <= 4', 'total >= 10'] }), bowl),
    (e: unknown) => isCrucibleError(e, 'INFEASIBLE') && /total >= 10/.test((e as Error).message),
  );
});
