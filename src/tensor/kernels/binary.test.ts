import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.js';
import { BinaryOp, binaryBackwardA, binaryBackwardB, binaryForward, binaryLayout } from './binary.js';

const rng = new Rng(5);
const positive = (n: number): Float64Array => Float64Array.from({ length: n }, () => rng.uniform(0.5, 2));

/** f(x, y) and its two partials, written the obvious way: the oracle for the specialised loops. */
const RULES: Record<keyof typeof BinaryOp, [(x: number, y: number) => number, (x: number, y: number) => number, (x: number, y: number) => number]> = {
  add: [(x, y) => x + y, () => 1, () => 1],
  sub: [(x, y) => x - y, () => 1, () => -1],
  mul: [(x, y) => x * y, (_x, y) => y, (x) => x],
  div: [(x, y) => x / y, (_x, y) => 1 / y, (x, y) => -x / (y * y)],
  pow: [(x, y) => x ** y, (x, y) => y * x ** (y - 1), (x, y) => x ** y * Math.log(x)],
  maximum: [(x, y) => (x >= y ? x : y), (x, y) => (x >= y ? 1 : 0), (x, y) => (x >= y ? 0 : 1)],
  minimum: [(x, y) => (x <= y ? x : y), (x, y) => (x <= y ? 1 : 0), (x, y) => (x <= y ? 0 : 1)],
};

// [a shape, b shape] covering every broadcast case on either side, at [3, 5].
const SHAPES: Array<[[number, number], [number, number]]> = [
  [[3, 5], [3, 5]],
  [[3, 5], [1, 5]],
  [[3, 5], [3, 1]],
  [[3, 5], [1, 1]],
  [[1, 5], [3, 5]],
  [[3, 1], [3, 5]],
  [[1, 1], [3, 5]],
  [[1, 5], [3, 1]],
];

test('every binary kernel matches its definition and partials under every broadcast case', () => {
  for (const name of Object.keys(BinaryOp) as Array<keyof typeof BinaryOp>) {
    const [f, dfdx, dfdy] = RULES[name];
    for (const [[ar, ac], [br, bc]] of SHAPES) {
      const rows = Math.max(ar, br);
      const cols = Math.max(ac, bc);
      const a = positive(ar * ac);
      const b = positive(br * bc);
      const g = positive(rows * cols);
      const layout = binaryLayout(ar, ac, br, bc, rows, cols);
      const out = new Float64Array(rows * cols);
      binaryForward(BinaryOp[name], layout, a, b, out);
      const ga = new Float64Array(a.length);
      const gb = new Float64Array(b.length);
      binaryBackwardA(BinaryOp[name], layout, a, b, out, g, ga);
      binaryBackwardB(BinaryOp[name], layout, a, b, out, g, gb);
      const wantA = new Float64Array(a.length);
      const wantB = new Float64Array(b.length);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const ia = (ar === 1 ? 0 : i) * ac + (ac === 1 ? 0 : j);
          const ib = (br === 1 ? 0 : i) * bc + (bc === 1 ? 0 : j);
          const where = `${name} a[${ar}, ${ac}] b[${br}, ${bc}] at (${i}, ${j})`;
          assert.ok(Math.abs(out[i * cols + j] - f(a[ia], b[ib])) <= 1e-15 * Math.abs(f(a[ia], b[ib])), where);
          wantA[ia] += g[i * cols + j] * dfdx(a[ia], b[ib]);
          wantB[ib] += g[i * cols + j] * dfdy(a[ia], b[ib]);
        }
      }
      for (let i = 0; i < a.length; i++) assert.ok(Math.abs(ga[i] - wantA[i]) <= 1e-13 * (1 + Math.abs(wantA[i])), `∂${name}/∂a[${i}] for a[${ar}, ${ac}] b[${br}, ${bc}]`);
      for (let i = 0; i < b.length; i++) assert.ok(Math.abs(gb[i] - wantB[i]) <= 1e-13 * (1 + Math.abs(wantB[i])), `∂${name}/∂b[${i}] for a[${ar}, ${ac}] b[${br}, ${bc}]`);
    }
  }
});
