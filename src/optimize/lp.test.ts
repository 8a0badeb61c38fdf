import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../errors.js';
import { solveLinearProgram, toLpFormat } from './lp.js';

test('a small LP is solved exactly, with the binding constraint shadow price', async () => {
  // max 3x + 2y  s.t. x + y <= 4, x + 3y <= 9, x <= 3  → x = 3, y = 1, objective 11; dual of 'capacity' = 2.
  const s = await solveLinearProgram({
    sense: 'maximize',
    variables: [{ name: 'x', upper: 3 }, { name: 'y' }],
    objective: { x: 3, y: 2 },
    constraints: [
      { name: 'capacity', terms: { x: 1, y: 1 }, upper: 4 },
      { name: 'labour', terms: { x: 1, y: 3 }, upper: 9 },
    ],
  });
  assert.ok(Math.abs(s.objective - 11) < 1e-9);
  assert.ok(Math.abs(s.values.x - 3) < 1e-9 && Math.abs(s.values.y - 1) < 1e-9);
  assert.ok(Math.abs(Math.abs(s.rows.capacity.dual) - 2) < 1e-9, JSON.stringify(s.rows));
});

test('integer variables make a MILP', async () => {
  const s = await solveLinearProgram({
    sense: 'maximize',
    variables: [{ name: 'n', upper: 10, integer: true }],
    objective: { n: 1 },
    constraints: [{ name: 'cap', terms: { n: 2 }, upper: 7 }],
  });
  assert.equal(s.values.n, 3);
});

test('an infeasible LP is reported as infeasible, and bad names are refused', async () => {
  await assert.rejects(
    solveLinearProgram({ sense: 'minimize', variables: [{ name: 'x', upper: 1 }], objective: { x: 1 }, constraints: [{ name: 'c', terms: { x: 1 }, lower: 2 }] }),
    (e: unknown) => isCrucibleError(e, 'INFEASIBLE') && /Infeasible/i.test((e as Error).message),
  );
  assert.throws(() => toLpFormat({ sense: 'minimize', variables: [{ name: 'bad name' }], objective: {}, constraints: [] }), /bad name/);
  assert.throws(() => toLpFormat({ sense: 'minimize', variables: [{ name: 'x' }], objective: { y: 1 }, constraints: [] }), /unknown variable 'y'/);
});
