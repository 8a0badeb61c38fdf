import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimizeLbfgsb } from './lbfgsb.js';
import { minimizeNelderMead } from './nelder-mead.js';
import { minimizeAugmentedLagrangian, type ConstrainedProblem } from './augmented-lagrangian.js';

function rosenbrock(x: Float64Array, g: Float64Array): number {
  let f = 0;
  g.fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
}

test('projected L-BFGS finds the Rosenbrock minimum in 10 dimensions', () => {
  const r = minimizeLbfgsb(rosenbrock, new Float64Array(10).fill(-1.2), { maxIterations: 2000 });
  assert.ok(r.converged, r.reason);
  for (const v of r.x) assert.ok(Math.abs(v - 1) < 1e-5, `x = ${Array.from(r.x)}`);
});

test('projected L-BFGS stops at an active bound with a KKT-consistent gradient', () => {
  // Rosenbrock with x0 ≤ 0.5: the constrained minimum is x = (0.5, 0.25).
  const r = minimizeLbfgsb(rosenbrock, Float64Array.of(-1, 1), { upper: Float64Array.of(0.5, 10) });
  assert.ok(Math.abs(r.x[0] - 0.5) < 1e-9);
  assert.ok(Math.abs(r.x[1] - 0.25) < 1e-6);
  assert.ok(r.projectedGradient < 1e-6);
});

test('Nelder–Mead minimises a non-smooth function', () => {
  const r = minimizeNelderMead((x) => Math.abs(x[0] - 1) + 2 * Math.abs(x[1] + 2) + Math.max(0, x[2]), Float64Array.of(0, 0, 3), {
    lower: Float64Array.of(-5, -5, -1),
    upper: Float64Array.of(5, 5, 5),
  });
  assert.ok(Math.abs(r.x[0] - 1) < 1e-4 && Math.abs(r.x[1] + 2) < 1e-4 && r.x[2] <= 1e-4, `x = ${Array.from(r.x)}`);
});

test('augmented Lagrangian solves an equality- and inequality-constrained quadratic with known multipliers', () => {
  // min (x-2)² + (y-1)²  s.t.  x + y = 2 (λ), x - y ≤ 0.5 (μ);  optimum (1.25, 0.75), λ = 1.5, μ = 0 -> check:
  // stationarity: 2(x-2) + λ + μ = 0, 2(y-1) + λ - μ = 0 → with μ active: x - y = 0.5, x + y = 2 → (1.25, 0.75)
  // 2(-0.75) + λ + μ = 0, 2(-0.25) + λ - μ = 0 → λ = 1, μ = 0.5.
  const problem: ConstrainedProblem = {
    lower: Float64Array.of(-10, -10),
    upper: Float64Array.of(10, 10),
    evaluate(x) {
      return {
        objective: (x[0] - 2) ** 2 + (x[1] - 1) ** 2,
        inequalities: Float64Array.of(x[0] - x[1] - 0.5),
        equalities: Float64Array.of(x[0] + x[1] - 2),
        gradient(w, out) {
          out[0] = w.objective * 2 * (x[0] - 2) + w.inequalities[0] + w.equalities[0];
          out[1] = w.objective * 2 * (x[1] - 1) - w.inequalities[0] + w.equalities[0];
        },
      };
    },
  };
  const r = minimizeAugmentedLagrangian(problem, Float64Array.of(0, 0));
  assert.ok(r.converged && r.feasible);
  assert.ok(Math.abs(r.x[0] - 1.25) < 1e-5 && Math.abs(r.x[1] - 0.75) < 1e-5, `x = ${Array.from(r.x)}`);
  assert.ok(Math.abs(r.equalityMultipliers[0] - 1) < 1e-4, `λ = ${r.equalityMultipliers[0]}`);
  assert.ok(Math.abs(r.inequalityMultipliers[0] - 0.5) < 1e-4, `μ = ${r.inequalityMultipliers[0]}`);
  assert.ok(r.kktResidual < 1e-5);
});
