import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrucibleError } from '../../errors.js';
import { solveNonlinear } from './newton.js';

test('Newton finds the root of a coupled nonlinear system to the tolerance', () => {
  // x² + y² = 4, x·y = 1 → known root near (1.9319, 0.5176)
  const r = solveNonlinear((v, f) => { f[0] = v[0] ** 2 + v[1] ** 2 - 4; f[1] = v[0] * v[1] - 1; }, Float64Array.of(2, 0.5));
  const x = Math.sqrt(2 + Math.sqrt(3)), y = 1 / x;
  assert.ok(Math.abs(r.x[0] - x) < 1e-12 && Math.abs(r.x[1] - y) < 1e-12, `${r.x}`);
  assert.ok(r.residualNorm <= 1e-12);
});

test('pseudo-transient continuation rescues a start where plain Newton stalls', () => {
  // F(x) = -(x³ - 2x + 2): from x0 = 0 the damped Newton iteration is trapped at the local minimum
  // of |F| near x = 0.816; the continuation follows the stable dynamics dx/dt = F to the root.
  const r = solveNonlinear((v, f) => { f[0] = -(v[0] ** 3 - 2 * v[0] + 2); }, Float64Array.of(0));
  assert.ok(Math.abs(r.x[0] ** 3 - 2 * r.x[0] + 2) < 1e-12, `${r.x[0]}`);
  assert.ok(Math.abs(r.x[0] + 1.7692923542386314) < 1e-10);
  assert.equal(r.usedContinuation, true);
});

test('a system without a root is reported as NOT_CONVERGED naming what was solved', () => {
  assert.throws(
    () => solveNonlinear((v, f) => { f[0] = v[0] * v[0] + 1; }, Float64Array.of(1), { label: 'test system', maxIterations: 10 }),
    (e: unknown) => e instanceof CrucibleError && e.code === 'NOT_CONVERGED' && /test system/.test(e.message),
  );
});
