/** vjp, grad and jacobian: input gradients without side effects on parameters, checked against finite differences. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng.js';
import { Tensor } from './tensor.js';
import { backward, grad, jacobian, noGrad, valueAndGrad, vjp } from './autodiff.js';
import { assertGradient } from './gradcheck.js';
import { add, matmul, mul, square, sum, tanh } from './ops/index.js';
import { Mlp } from '../nn/mlp.js';
import { recordOp } from './autodiff.js';

test('vjp gives the input gradient of a model and leaves parameter gradients untouched', () => {
  const model = new Mlp({ widths: [3, 8, 2], activation: 'tanh', seed: 1 });
  model.parameters.grads.fill(0.5);
  const x = Tensor.randn(4, 3, new Rng(2));
  const cot = Tensor.randn(4, 2, new Rng(3));
  const [gx] = vjp((t) => model.forward(t), [x], cot);
  assert.deepEqual([gx.rows, gx.cols], [4, 3]);
  assert.ok(model.parameters.grads.every((g) => g === 0.5), 'parameter grads unchanged');
  assert.equal(x.requiresGrad, false, 'input flags restored');
  assert.equal(x.grad, null);
  const r = assertGradient((t) => model.forward(t), [x], { label: 'MLP input gradient' });
  console.log(`# MLP input gradient: relative error ${r.maxRelError.toExponential(2)}`);
});

test('grad and valueAndGrad return the gradient of a scalar function for every argument', () => {
  const a = Tensor.from([[1, 2]]);
  const b = Tensor.from([[3, -1]]);
  const { value, grads } = valueAndGrad((p, q) => sum(mul(p, q)))(a, b);
  assert.equal(value, 1);
  assert.deepEqual(grads.map((g) => g.toArray()), [[[3, -1]], [[1, 2]]]);
  assert.deepEqual(grad((p) => sum(square(p)))(a)[0].toArray(), [[2, 4]]);
  // An argument the value does not depend on gets a zero gradient.
  assert.deepEqual(grad((p, _q) => sum(p))(a, b)[1].toArray(), [[0, 0]]);
});

test('jacobian of a small model matches finite differences row by row, also inside noGrad', () => {
  const model = new Mlp({ widths: [3, 6, 2], activation: 'tanh', seed: 4 });
  const x = Tensor.from([[0.3, -0.2, 0.5]]);
  const jac = noGrad(() => jacobian((t) => model.forward(t), x));
  assert.deepEqual(jac.shape, [2, 3]);
  for (let i = 0; i < 2; i++) {
    // Row i of J is the vjp with the unit cotangent e_i.
    const e = new Float64Array(2);
    e[i] = 1;
    const [gi] = vjp((t) => model.forward(t), [x], e);
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(jac.get(i, j) - gi.get(0, j)) < 1e-15);
    const h = 1e-5;
    for (let j = 0; j < 3; j++) {
      const xp = x.detach();
      xp.data[j] += h;
      const xm = x.detach();
      xm.data[j] -= h;
      const fd = noGrad(() => (model.forward(xp).data[i] - model.forward(xm).data[i]) / (2 * h));
      assert.ok(Math.abs(fd - jac.get(i, j)) < 1e-8 * Math.max(1, Math.abs(fd)), `J[${i},${j}] ${jac.get(i, j)} vs ${fd}`);
    }
  }
});

test('jacobian of an elementwise map is diagonal, of the identity is I, of a constant is zero', () => {
  const x = Tensor.from([[0.1, 0.2, 0.3]]);
  const j = jacobian((t) => tanh(t), x);
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      const expected = a === b ? 1 - Math.tanh(x.data[a]) ** 2 : 0;
      assert.ok(Math.abs(j.get(a, b) - expected) < 1e-15);
    }
  }
  assert.deepEqual(jacobian((t) => t, x).toArray(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  assert.deepEqual(jacobian(() => Tensor.from([[1, 2]]), x).toArray(), [[0, 0, 0], [0, 0, 0]]);
});

test('backward with only: leaves outside the list keep their gradients', () => {
  const w = Tensor.from([[2]], { requiresGrad: true });
  const v = Tensor.from([[3]], { requiresGrad: true });
  w.ensureGrad()[0] = 7;
  const y = mul(w, v);
  backward(y, undefined, { only: [v] });
  assert.equal(w.grad![0], 7);
  assert.equal(v.grad![0], 2);
  assert.equal(w.requiresGrad, true);
  // Intermediate gradients are released, retained ones kept.
  const z = add(matmul(w, v), w).retainGrad();
  const loss = sum(square(z));
  backward(loss);
  assert.equal(z.grad![0], 2 * z.data[0]);
});

test('the gradient checker catches a wrong gradient rule', () => {
  // A deliberately wrong rule for square: 3x instead of 2x.
  const badSquare = (a: Tensor): Tensor => {
    const out = new Tensor(a.rows, a.cols, a.data.map((v) => v * v));
    return recordOp('badSquare', out, [a], (g) => {
      const ga = a.ensureGrad();
      for (let i = 0; i < g.length; i++) ga[i] += g[i] * 3 * a.data[i];
    });
  };
  assert.throws(() => assertGradient(badSquare, [Tensor.from([[0.5, -1]])], { label: 'badSquare' }), /badSquare: relative error 3.333e-1 ≥ tolerance 1e-6 at input 0 \[1, 2\]/);
});

test('vjp rejects inputs that are op outputs and cotangents of the wrong size', () => {
  const x = Tensor.from([[1, 2]], { requiresGrad: true });
  const y = square(x);
  assert.throws(() => vjp((t) => t, [y], new Float64Array(2)), /input 0 \[1, 2\] is the output of op 'square'/);
  assert.throws(() => vjp((t) => square(t), [x.detach()], new Float64Array(3)), /vjp: cotangent has 3 values but fn returned shape \[1, 2\]/);
});
