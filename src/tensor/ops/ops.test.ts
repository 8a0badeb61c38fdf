/** Values and input errors of the reduction, slicing, selection and solve ops. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../rng.js';
import { Tensor } from '../tensor.js';
import { isCrucibleError } from '../../errors.js';
import { logSumExp, softmax, logSoftmax } from '../composite.js';
import { add, clamp, concat, gatherRows, mask, matmul, max, min, slice, sliceCols, sliceRows, solve, where } from './index.js';

const m = Tensor.from([
  [1, 5, -2],
  [7, 2, 9],
]);

test('max and min reduce over all values, columns (axis 0) and rows (axis 1)', () => {
  assert.equal(max(m).item(), 9);
  assert.equal(min(m).item(), -2);
  assert.deepEqual(max(m, 0).toArray(), [[7, 5, 9]]);
  assert.deepEqual(min(m, 1).toArray(), [[-2], [2]]);
  assert.ok(Number.isNaN(max(Tensor.from([[1, NaN, 3]])).item()), 'NaN propagates like Math.max');
  assert.throws(() => max(Tensor.zeros(0, 3), 0), /max: tensor \[0, 3\] has no values/);
});

test('slice, sliceRows and sliceCols take the asked block and reject ranges outside the tensor', () => {
  assert.deepEqual(slice(m, { rowStart: 1, colStart: 1 }).toArray(), [[2, 9]]);
  assert.deepEqual(sliceRows(m, 0, 1).toArray(), [[1, 5, -2]]);
  assert.deepEqual(sliceCols(m, 1, 3).toArray(), [[5, -2], [2, 9]]);
  assert.throws(() => sliceCols(m, 2, 4), /slice: column range \[2, 4\) is not within \[0, 3\]/);
});

test('concat stacks rows or columns and names the tensor whose shape does not fit', () => {
  assert.deepEqual(concat([m, Tensor.from([[0, 0, 0]])], 0).toArray(), [[1, 5, -2], [7, 2, 9], [0, 0, 0]]);
  assert.deepEqual(concat([m, Tensor.from([[3], [4]])], 1).toArray(), [[1, 5, -2, 3], [7, 2, 9, 4]]);
  assert.throws(() => concat([m, Tensor.zeros(3, 1)], 1), /concat: along axis 1 every tensor needs 2 rows like tensor 0 \[2, 3\], but tensor 1 is \[3, 1\]/);
});

test('gatherRows picks rows by index, with repeats, and rejects indices out of range', () => {
  assert.deepEqual(gatherRows(m, [1, 1, 0]).toArray(), [[7, 2, 9], [7, 2, 9], [1, 5, -2]]);
  assert.throws(() => gatherRows(m, [0, 2]), /gatherRows: index 1 is 2, expected an integer row of \[2, 3\] in \[0, 2\)/);
});

test('where selects by mask or predicate with broadcasting, and clamp cuts to the bounds', () => {
  const msk = mask(m, (v) => v > 4);
  assert.deepEqual(msk.toArray(), [[0, 1, 0], [1, 0, 1]]);
  assert.deepEqual(where(msk, m, 0).toArray(), [[0, 5, 0], [7, 0, 9]]);
  assert.deepEqual(where((a, b) => a < b, m, Tensor.from([[2, 2, 2]])).toArray(), [[1, 2, -2], [2, 2, 2]]);
  assert.deepEqual(clamp(m, 0, 6).toArray(), [[1, 5, 0], [6, 2, 6]]);
  assert.throws(() => where(Tensor.zeros(3, 3), m, 0), /where: shapes mask \[3, 3\], a \[2, 3\] and b \[1, 1\] do not broadcast/);
  assert.throws(() => clamp(m, 1, 0), /clamp: bounds \[1, 0\] are not an interval/);
});

test('solve returns X with A·X = B to 1e-12, pivoting past a zero diagonal', () => {
  const rng = new Rng(3);
  const a = Tensor.randn(6, 6, rng);
  a.data[0] = 0; // forces a row exchange at the first step
  const b = Tensor.randn(6, 2, rng);
  const x = solve(a, b);
  const r = matmul(a, x);
  for (let i = 0; i < b.size; i++) assert.ok(Math.abs(r.data[i] - b.data[i]) < 1e-12, `residual ${r.data[i] - b.data[i]}`);
});

test('solve of a singular matrix fails with SINGULAR_MATRIX naming the column, and bad shapes are RangeErrors', () => {
  const singular = Tensor.from([[1, 2], [2, 4]]);
  assert.throws(
    () => solve(singular, Tensor.from([[1], [1]])),
    (e: unknown) => isCrucibleError(e, 'SINGULAR_MATRIX') && /solve: the matrix \[2, 2\] is singular .* column 1/.test((e as Error).message),
  );
  assert.throws(() => solve(Tensor.zeros(2, 3), Tensor.zeros(2, 1)), /solve: A must be square, got \[2, 3\]/);
  assert.throws(() => solve(Tensor.from([[1, 0], [0, 1]]), Tensor.zeros(3, 1)), /solve: B \[3, 1\] must have 2 rows to match A \[2, 2\]/);
});

test('logSumExp and softmax are stable for large inputs and agree with their definitions', () => {
  const big = Tensor.from([[1000, 1000 + Math.log(3)]]);
  assert.ok(Math.abs(logSumExp(big).item() - (1000 + Math.log(4))) < 1e-12);
  const p = softmax(Tensor.from([[0, Math.log(3)], [5, 5]]));
  assert.deepEqual(p.toArray().map((r) => r.map((v) => Math.round(v * 1e12) / 1e12)), [[0.25, 0.75], [0.5, 0.5]]);
  assert.ok(Math.abs(logSoftmax(Tensor.from([[0, 0]])).get(0, 1) - Math.log(0.5)) < 1e-15);
});

test('elementwise and matmul shape errors name the op, both shapes and what would fit', () => {
  assert.throws(() => add(m, Tensor.zeros(3, 2)), /add: shapes \[2, 3\] and \[3, 2\] do not broadcast \(expected equal shapes, or one side \[1, c\], \[r, 1\] or \[1, 1\]\)/);
  assert.throws(() => matmul(m, Tensor.zeros(2, 2)), /matmul: inner dimensions differ: a \[2, 3\] has 3 columns, b \[2, 2\] has 2 rows/);
});

test('slicing a tensor in two along either axis and concatenating the pieces gives it back (any shape, any cut)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.nat(), fc.nat(), (rows, cols, seed, cutSeed) => {
      const a = Tensor.randn(rows, cols, new Rng(seed));
      const r = cutSeed % (rows + 1);
      const c = cutSeed % (cols + 1);
      assert.deepEqual(concat([sliceRows(a, 0, r), sliceRows(a, r, rows)], 0).data, a.data);
      assert.deepEqual(concat([sliceCols(a, 0, c), sliceCols(a, c, cols)], 1).data, a.data);
    }),
  );
});

test('solve leaves a backward-stable residual for any random system', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), fc.nat(), (n, k, seed) => {
      const rng = new Rng(seed);
      const a = Tensor.randn(n, n, rng);
      const b = Tensor.randn(n, k, rng);
      const x = solve(a, b);
      const r = matmul(a, x);
      const size = (t: Tensor): number => Math.max(...t.data.map(Math.abs));
      // Backward stability of LU with partial pivoting: residual ~ ε·growth·‖A‖·‖X‖.
      const bound = 1e-10 * (size(a) * size(x) * n + size(b));
      for (let i = 0; i < b.size; i++) assert.ok(Math.abs(r.data[i] - b.data[i]) <= bound, `n=${n}: residual ${r.data[i] - b.data[i]} > ${bound}`);
    }),
  );
});
