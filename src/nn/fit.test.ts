/** The training loop: learns a smooth plant-like map, is reproducible from its seed, and rejects bad data clearly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { isCrucibleError } from '../errors.js';
import { Adam } from './adam.js';
import { evaluate, fit, predict } from './fit.js';
import { Mlp } from './mlp.js';
import { Sgd } from './sgd.js';
import { cosineSchedule } from './schedules.js';

/** y = sin(3·x1) + x2² on [-1, 1]². */
function target(n: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = Tensor.rand(n, 2, rng, { lo: -1, hi: 1 });
  const y = new Tensor(n, 1);
  for (let i = 0; i < n; i++) y.data[i] = Math.sin(3 * x.get(i, 0)) + x.get(i, 1) ** 2;
  return { x, y };
}

test('an MLP fits y = sin(3·x1) + x2² on [-1,1]² to test MSE < 1e-3 from a fixed seed', () => {
  const train = target(2000, 1);
  const heldOut = target(1000, 2);
  const model = new Mlp({ widths: [2, 16, 16, 1], activation: 'tanh', seed: 3 });
  const epochs = 60;
  const batchSize = 32;
  const totalSteps = epochs * Math.ceil(2000 / batchSize);
  const optimizer = new Adam(model.parameters, { lr: cosineSchedule(0.01, { totalSteps, minLr: 1e-4 }) });
  const started = performance.now();
  const history = fit(model, train.x, train.y, { epochs, batchSize, optimizer, seed: 5 });
  const seconds = (performance.now() - started) / 1000;
  const testMse = evaluate(model, heldOut.x, heldOut.y);
  console.log(`# sin(3x1)+x2²: train MSE ${history.epochLoss.at(-1)!.toExponential(2)}, test MSE ${testMse.toExponential(2)}, ${history.steps} steps in ${seconds.toFixed(1)} s`);
  assert.equal(history.steps, totalSteps);
  assert.ok(testMse < 1e-3, `test MSE ${testMse}`);
  assert.ok(history.epochLoss[0] > 10 * history.epochLoss.at(-1)!, 'the loss fell');
});

test('training is reproducible from the seeds, and a different shuffling seed gives different weights', () => {
  const { x, y } = target(200, 4);
  const train = (seed: number): Float64Array => {
    const model = new Mlp({ widths: [2, 8, 1], seed: 1 });
    fit(model, x, y, { epochs: 3, batchSize: 16, seed, optimizer: new Sgd(model.parameters, { lr: 0.05, momentum: 0.9 }) });
    return model.parameters.get();
  };
  assert.deepEqual(train(7), train(7));
  assert.notDeepEqual(train(7), train(8));
});

test('the onGradient hook sees every step before the update and can change the gradient', () => {
  const { x, y } = target(100, 5);
  const model = new Mlp({ widths: [2, 4, 1], seed: 2 });
  const before = model.parameters.get();
  let hooks = 0;
  const steps: number[] = [];
  const epochs: number[] = [];
  const history = fit(model, x, y, {
    epochs: 2,
    batchSize: 30, // 4 batches per epoch, the last of 10 rows
    optimizer: new Sgd(model.parameters, { lr: 0.1 }),
    onGradient: (params, batch) => {
      assert.equal(batch.step, hooks);
      assert.equal(batch.x.rows, batch.y.rows);
      hooks++;
      params.grads.fill(0); // a hook that cancels the gradient: the weights must not move
    },
    onStep: (info) => steps.push(info.batchSize),
    onEpoch: (info) => {
      epochs.push(info.steps);
    },
  });
  assert.equal(hooks, 8);
  assert.equal(history.steps, 8);
  assert.deepEqual(steps, [30, 30, 30, 10, 30, 30, 30, 10]);
  assert.deepEqual(epochs, [4, 4]);
  assert.deepEqual(model.parameters.get(), before);
});

test('onEpoch can stop training early, and predict matches forward in batches', () => {
  const { x, y } = target(64, 6);
  const model = new Mlp({ widths: [2, 4, 1], seed: 2 });
  const history = fit(model, x, y, { epochs: 50, onEpoch: (e) => (e.epoch === 2 ? 'stop' : undefined) });
  assert.equal(history.epochLoss.length, 3);
  const all = predict(model, x, { batchSize: 1000 });
  const batched = predict(model, x, { batchSize: 7 });
  assert.deepEqual([...batched.data], [...all.data]);
});

test('fit rejects NaN in data, shape mismatches and divergence with messages naming what and where', () => {
  const model = new Mlp({ widths: [2, 4, 1], seed: 2 });
  const { x, y } = target(10, 7);
  const xNaN = x.detach();
  xNaN.data[2 * 2 + 1] = NaN;
  assert.throws(() => fit(model, xNaN, y), /fit: x \[10, 2\] has the non-finite value NaN at row 2, column 1; expected finite numbers/);
  assert.throws(() => fit(model, Tensor.zeros(10, 3), y), /fit: x \[10, 3\] has 3 columns, the model expects 2 inputs/);
  assert.throws(() => fit(model, x, Tensor.zeros(9, 1)), /fit: x \[10, 2\] and y \[9, 1\] have different numbers of rows/);
  assert.throws(() => fit(model, x, Tensor.zeros(10, 2)), /fit: y \[10, 2\] has 2 columns, the model has 1 outputs/);
  assert.throws(() => fit(model, x, y, { batchSize: 0 }), /fit: batchSize must be a positive integer, got 0/);
  assert.throws(() => new Mlp({ widths: [2, 1], activation: 'gelu' as 'tanh' }), /Mlp activation: Unknown activation 'gelu': expected one of tanh, relu, sigmoid, softplus, silu, linear/);
  const huge = new Mlp({ widths: [2, 4, 1], seed: 2 });
  assert.throws(
    () => fit(huge, x, y, { epochs: 50, optimizer: new Sgd(huge.parameters, { lr: 1e6 }) }),
    (e: unknown) => isCrucibleError(e, 'NOT_CONVERGED') && /fit: the training loss became (NaN|Infinity) at epoch \d+, step \d+/.test((e as Error).message),
  );
});
