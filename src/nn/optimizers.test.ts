/** SGD, Adam and AdamW: update rules against hand-computed steps, a known optimum, and exact state round trips. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Parameters } from './parameters.js';
import { Sgd } from './sgd.js';
import { Adam, AdamW } from './adam.js';
import type { Optimizer } from './optimizer.js';

function quadratic(): Parameters {
  const p = Parameters.allocate([{ name: 'w', rows: 1, cols: 3 }]);
  p.set([4, -2, 1]);
  return p;
}
/** Gradient of ½ Σ c_k (w_k − target_k)², a badly scaled bowl with its minimum at target. */
const target = [1, 2, -3];
const curvature = [1, 10, 0.1];
function setGradient(p: Parameters): void {
  for (let k = 0; k < 3; k++) p.grads[k] = curvature[k] * (p.values[k] - target[k]);
}
function run(opt: Optimizer, steps: number): void {
  for (let s = 0; s < steps; s++) {
    setGradient(opt.parameters);
    opt.step();
  }
}

test('one SGD step with momentum and Nesterov follows the formulas', () => {
  const p = quadratic();
  const opt = new Sgd(p, { lr: 0.1, momentum: 0.9, nesterov: true });
  setGradient(p); // g = [3, -40, 0.4]
  opt.step(); // v = g; update g + 0.9 v = 1.9 g
  assert.deepEqual([...p.values].map((v) => +v.toFixed(12)), [4 - 0.57, -2 + 7.6, 1 - 0.076]);
});

test('one Adam step moves each weight by lr against the gradient sign; AdamW also shrinks the weights', () => {
  const a = quadratic();
  const start = [...a.values];
  setGradient(a); // g = [3, -40, 0.4]
  new Adam(a, { lr: 0.01 }).step();
  // After bias correction the first step is lr·g/(|g| + ε) ≈ lr·sign(g).
  assert.deepEqual([...a.values].map((v, k) => +(v - start[k]).toFixed(9)), [-0.01, 0.01, -0.01]);
  const w = quadratic();
  w.grads.fill(0);
  new AdamW(w, { lr: 0.1, weightDecay: 0.5 }).step();
  assert.deepEqual([...w.values], [4 * 0.95, -2 * 0.95, 1 * 0.95]);
});

test('SGD with momentum, Adam and AdamW reach the minimum of a badly scaled quadratic', () => {
  const cases: Array<[string, (p: Parameters) => Optimizer, number]> = [
    ['sgd+momentum', (p) => new Sgd(p, { lr: 0.05, momentum: 0.9 }), 2000],
    ['sgd+nesterov', (p) => new Sgd(p, { lr: 0.05, momentum: 0.9, nesterov: true }), 2000],
    ['adam', (p) => new Adam(p, { lr: 0.05 }), 3000],
    ['adamw (no decay)', (p) => new AdamW(p, { lr: 0.05, weightDecay: 0 }), 3000],
  ];
  for (const [name, make, steps] of cases) {
    const p = quadratic();
    run(make(p), steps);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(p.values[k] - target[k]) < 1e-4, `${name}: w[${k}] = ${p.values[k]}`);
  }
});

test('optimizer state round-trips exactly: a restored optimizer continues bit for bit', () => {
  for (const make of [(p: Parameters) => new Sgd(p, { lr: 0.05, momentum: 0.9 }), (p: Parameters) => new Adam(p, { lr: 0.05 }), (p: Parameters) => new AdamW(p, { lr: 0.05 })]) {
    const a = quadratic();
    const optA = make(a);
    run(optA, 10);
    const saved = optA.state();
    const b = Parameters.allocate([{ name: 'w', rows: 1, cols: 3 }]);
    b.set(a.values);
    const optB = make(b);
    optB.loadState(saved);
    assert.equal(optB.stepCount, 10);
    run(optA, 7);
    run(optB, 7);
    assert.deepEqual([...b.values], [...a.values]);
  }
});

test('loading a state of another kind or size fails naming what differs', () => {
  const p = quadratic();
  assert.throws(() => new Adam(p).loadState(new Sgd(p).state()), /Adam.loadState: state is for 'sgd', this optimizer is 'adam'/);
  const bigger = Parameters.allocate([{ name: 'w', rows: 2, cols: 3 }]);
  assert.throws(() => new Sgd(p).loadState(new Sgd(bigger).state()), /Sgd.loadState: buffer 'velocity' has 6 values, expected 3/);
  assert.throws(() => new Sgd(p, { momentum: 1 }), /Sgd: momentum must be in \[0, 1\), got 1/);
});
