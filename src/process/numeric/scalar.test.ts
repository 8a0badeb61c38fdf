import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bracketRoot, goldenMaximize } from './scalar.js';
import { nelderMead } from './nelderMead.js';

test('golden-section search finds the maximum of a unimodal function', () => {
  const r = goldenMaximize((x) => Math.sin(x), 0, 3, 1e-10);
  // A smooth maximum is flat: f resolves x only to about √ε·scale.
  assert.ok(Math.abs(r.x - Math.PI / 2) < 1e-7, `${r.x}`);
});

test('the bracketed root finder converges to the root and refuses a non-bracket', () => {
  const r = bracketRoot((x) => Math.cos(x) - x, 0, 1);
  assert.ok(r !== null && Math.abs(Math.cos(r) - r) < 1e-13);
  assert.equal(bracketRoot((x) => x * x + 1, -1, 1), null);
});

test('Nelder–Mead minimises the Rosenbrock function from the classic start', () => {
  const r = nelderMead((x) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2, [-1.2, 1], { maxEvaluations: 5000 });
  assert.ok(Math.abs(r.x[0] - 1) < 1e-5 && Math.abs(r.x[1] - 1) < 1e-5, `${r.x}`);
});
