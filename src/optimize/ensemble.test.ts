import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../tensor/tensor.js';
import { add, matmul, mul, square } from '../tensor/ops/index.js';
import { assertGradient } from '../tensor/gradcheck.js';
import { ensembleSurrogate } from './ensemble.js';
import type { ProcessSurrogate } from './surrogate.js';

/** y = a·x² + b·x (two outputs, per member a, b). */
const member = (a: number, b: number): ProcessSurrogate => ({
  inputNames: ['x'],
  outputNames: ['y', 'z'],
  predict: (x) => add(matmul(square(x), Tensor.from([[a, 2 * a]])), matmul(x, Tensor.from([[b, -b]]))),
});

test('an ensemble predicts the members’ mean and their sample standard deviation, with exact input gradients', () => {
  const members = [member(1, 0), member(2, 1), member(4, -1)];
  const e = ensembleSurrogate(members);
  const x = Tensor.from([[0.7], [-1.3]]);
  const y = e.predict(x).data;
  const sd = e.predictStd!(x).data;
  for (let r = 0; r < 2; r++) {
    for (let k = 0; k < 2; k++) {
      const vals = members.map((m) => m.predict(x).data[r * 2 + k]);
      const mean = vals.reduce((a, b) => a + b, 0) / 3;
      const s = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
      assert.ok(Math.abs(y[r * 2 + k] - mean) < 1e-12 && Math.abs(sd[r * 2 + k] - s) < 1e-12, `row ${r} output ${k}`);
    }
  }
  assertGradient((xi) => mul(e.predictStd!(xi), 1), [new Tensor(2, 1, Float64Array.of(0.7, -1.3), { requiresGrad: true })], { label: 'ensemble sd' });
});

test('an ensemble needs two members with the same names', () => {
  assert.throws(() => ensembleSurrogate([member(1, 1)]), /at least two members/);
  assert.throws(() => ensembleSurrogate([member(1, 1), { ...member(1, 1), outputNames: ['y', 'w'] }]), /member 1/);
});
