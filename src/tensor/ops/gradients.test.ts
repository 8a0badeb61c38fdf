/**
 * Every primitive op's gradient rule against fourth-order finite differences (float64, relative error
 * < 1e-6), including the broadcasting and transposed variants. Inputs are drawn away from kinks.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.js';
import { Tensor } from '../tensor.js';
import { assertGradient } from '../gradcheck.js';
import * as op from './index.js';

const rng = new Rng(2024);

/** Values with |x| in [0.2, 1.5] and random sign: farther than the finite-difference stencil from 0. */
function awayFromZero(rows: number, cols: number): Tensor {
  const t = new Tensor(rows, cols);
  for (let k = 0; k < t.size; k++) t.data[k] = (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(0.2, 1.5);
  return t;
}
function positive(rows: number, cols: number): Tensor {
  return Tensor.rand(rows, cols, rng, { lo: 0.3, hi: 2 });
}
function normal(rows: number, cols: number): Tensor {
  return Tensor.randn(rows, cols, rng);
}
/** Distinct values 0.1 apart in random order, so max/min are unique and stable under the stencil. */
function distinct(rows: number, cols: number): Tensor {
  const p = rng.permutation(rows * cols);
  return new Tensor(rows, cols, Float64Array.from(p, (v) => 0.1 * v - 1));
}

let worst = { label: '', error: 0 };
/** Op names seen in check labels (the first word of each label). */
const checkedOps = new Set<string>();
let checks = 0;
function check(label: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = assertGradient(fn, inputs, { label });
  assert.ok(r.maxRelError < 1e-6, label);
  checks++;
  checkedOps.add(label.split(' ')[0]);
  if (r.maxRelError >= worst.error) worst = { label, error: r.maxRelError };
}
after(() => console.log(`# ${checks} op gradient checks; worst relative error ${worst.error.toExponential(2)} (${worst.label})`));

const broadcastShapes: Array<[string, [number, number], [number, number]]> = [
  ['equal shapes', [3, 4], [3, 4]],
  ['row broadcast of b', [3, 4], [1, 4]],
  ['column broadcast of b', [3, 4], [3, 1]],
  ['scalar b', [3, 4], [1, 1]],
  ['row broadcast of a', [1, 4], [3, 4]],
  ['column against row', [3, 1], [1, 4]],
];

test('add, sub, mul and div gradients match finite differences for every broadcast pattern', () => {
  for (const [pattern, sa, sb] of broadcastShapes) {
    check(`add (${pattern})`, op.add, [normal(...sa), normal(...sb)]);
    check(`sub (${pattern})`, op.sub, [normal(...sa), normal(...sb)]);
    check(`mul (${pattern})`, op.mul, [normal(...sa), normal(...sb)]);
    check(`div (${pattern})`, op.div, [normal(...sa), awayFromZero(...sb)]);
  }
});

test('pow gradients match finite differences in base and exponent, with broadcasting', () => {
  check('pow (equal)', op.pow, [positive(3, 4), normal(3, 4)]);
  check('pow (row exponent)', op.pow, [positive(3, 4), normal(1, 4)]);
  check('pow (integer exponent, negative base)', (a) => op.pow(a, 3), [awayFromZero(2, 3)]);
});

test('maximum and minimum gradients go to the chosen side for every broadcast pattern', () => {
  for (const [pattern, sa, sb] of broadcastShapes) {
    // a in ±[0.2, 1.5], b in [-0.1, 0.1]: never within the stencil of each other.
    const b = () => Tensor.rand(sb[0], sb[1], rng, { lo: -0.1, hi: 0.1 });
    check(`maximum (${pattern})`, op.maximum, [awayFromZero(...sa), b()]);
    check(`minimum (${pattern})`, op.minimum, [awayFromZero(...sa), b()]);
  }
});

test('unary op gradients match finite differences', () => {
  const unary: Array<[string, (a: Tensor) => Tensor, Tensor]> = [
    ['neg', op.neg, normal(3, 4)],
    ['exp', op.exp, normal(3, 4)],
    ['log', op.log, positive(3, 4)],
    ['tanh', op.tanh, normal(3, 4)],
    ['sigmoid', op.sigmoid, normal(3, 4)],
    ['relu', op.relu, awayFromZero(3, 4)],
    ['softplus', op.softplus, normal(3, 4)],
    ['silu', op.silu, normal(3, 4)],
    ['square', op.square, normal(3, 4)],
    ['sqrt', op.sqrt, positive(3, 4)],
    ['abs', op.abs, awayFromZero(3, 4)],
  ];
  for (const [name, fn, x] of unary) check(name, fn, [x]);
});

test('matmul gradients match finite differences for all four transpose variants', () => {
  check('matmul a·b', (a, b) => op.matmul(a, b), [normal(3, 5), normal(5, 2)]);
  check('matmul aᵀ·b', (a, b) => op.matmul(a, b, { transA: true }), [normal(5, 3), normal(5, 2)]);
  check('matmul a·bᵀ', (a, b) => op.matmul(a, b, { transB: true }), [normal(3, 5), normal(2, 5)]);
  check('matmul aᵀ·bᵀ', (a, b) => op.matmul(a, b, { transA: true, transB: true }), [normal(5, 3), normal(2, 5)]);
  check('matmul vector', (a, b) => op.matmul(a, b), [normal(1, 4), normal(4, 1)]);
  check('linear', op.linear, [normal(4, 3), normal(3, 2), normal(1, 2)]);
});

test('dense (x·W + b and its activation as one op) gradients match finite differences for every fused activation', () => {
  // Its own generator, so the inputs of the checks after it stay what they were.
  const own = new Rng(77);
  for (const act of op.denseActivations) {
    const [x, w, b] = [[4, 3], [3, 2], [1, 2]].map(([r, c]) => Tensor.randn(r, c, own));
    check(`dense ${act}`, (xi, wi, bi) => op.dense(xi, wi, bi, act), [x, w, b]);
  }
});

test('sum and mean gradients match finite differences over all values and each axis', () => {
  for (const axis of [undefined, 0, 1] as const) {
    check(`sum axis ${axis}`, (a) => op.sum(a, axis), [normal(3, 4)]);
    check(`mean axis ${axis}`, (a) => op.mean(a, axis), [normal(3, 4)]);
  }
});

test('squaredError gradients match finite differences in both arguments, with and without a scale', () => {
  const own = new Rng(78); // its own generator, so the inputs of the checks after it stay what they were
  const pair = () => [Tensor.randn(3, 4, own), Tensor.randn(3, 4, own)];
  check('squaredError', (a, b) => op.squaredError(a, b), pair());
  check('squaredError scaled', (a, b) => op.squaredError(a, b, 1 / 12), pair());
});

test('max and min reduction gradients go to the extreme value over all values and each axis', () => {
  for (const axis of [undefined, 0, 1] as const) {
    check(`max axis ${axis}`, (a) => op.max(a, axis), [distinct(3, 4)]);
    check(`min axis ${axis}`, (a) => op.min(a, axis), [distinct(3, 4)]);
  }
});

test('reshape, transpose, slice, concat and gatherRows gradients match finite differences', () => {
  check('reshape', (a) => op.reshape(a, 2, 6), [normal(3, 4)]);
  check('transpose', op.transpose, [normal(3, 4)]);
  check('slice block', (a) => op.slice(a, { rowStart: 1, rowEnd: 3, colStart: 1, colEnd: 4 }), [normal(4, 5)]);
  check('sliceRows', (a) => op.sliceRows(a, 1, 3), [normal(4, 5)]);
  check('sliceCols', (a) => op.sliceCols(a, 2, 5), [normal(4, 5)]);
  check('concat rows', (a, b) => op.concat([a, b, a], 0), [normal(2, 3), normal(4, 3)]);
  check('concat columns', (a, b) => op.concat([a, b, a], 1), [normal(3, 2), normal(3, 4)]);
  check('gatherRows with repeats', (a) => op.gatherRows(a, [3, 0, 3, 1]), [normal(4, 3)]);
});

test('where and clamp gradients match finite differences, for masks, predicates and broadcasting', () => {
  const m = op.mask(normal(3, 4), (v) => v > 0);
  check('where mask', (a, b) => op.where(m, a, b), [normal(3, 4), normal(3, 4)]);
  check('where mask, row-broadcast b', (a, b) => op.where(m, a, b), [normal(3, 4), normal(1, 4)]);
  check('where predicate', (a, b) => op.where((x, y) => x > y, a, b), [awayFromZero(3, 4), Tensor.rand(3, 4, rng, { lo: -0.1, hi: 0.1 })]);
  check('where scalar b', (a) => op.where((x) => x > 0, a, 0), [awayFromZero(3, 4)]);
  check('clamp', (a) => op.clamp(a, -0.1, 0.1), [awayFromZero(3, 4)]);
  check('clamp inside', (a) => op.clamp(a, -5, 5), [normal(3, 4)]);
});

test('solve gradients (the adjoint) match finite differences in A and B', () => {
  const n = 5;
  // Diagonally dominant enough to be well conditioned, but with pivoting needed (small diagonal first).
  const a = normal(n, n);
  a.data[0] = 1e-3;
  check('solve single right-hand side', op.solve, [a, normal(n, 1)]);
  check('solve three right-hand sides', op.solve, [a, normal(n, 3)]);
  check('solve composed', (a2, b) => op.sum(op.square(op.solve(a2, b))), [a, normal(n, 2)]);
});

test('every function exported from the op table is covered by a gradient check above', () => {
  // `mask` builds a constant 0/1 tensor (no gradient); the rest must appear in a check label.
  const noGradient = new Set(['mask']);
  const exported = Object.entries(op).filter(([, v]) => typeof v === 'function').map(([name]) => name);
  const unchecked = exported.filter((name) => !noGradient.has(name) && !checkedOps.has(name));
  assert.deepEqual(unchecked, [], `ops without a finite-difference gradient check: ${unchecked.join(', ')}`);
});
