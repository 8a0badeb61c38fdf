/**
 * A plant's local training in one round: minibatch passes over its training split, with a gradient
 * hook through which FedProx and SCAFFOLD alter the gradient before the optimizer step.
 *
 * This adapts the task's config to a minibatch loop. TODO(nn): delegate to `src/nn`'s `fit` (with
 * its `onGradient` hook) once it lands; the loop here is deliberately minimal (MSE loss, fresh
 * SGD/Adam state per round, as is usual in federated learning).
 *
 * @example
 * trainLocally(model, x, y, { epochs: 1, batchSize: 32, learningRate: 0.01, optimizer: 'sgd' }, { rng: new Rng(3) });
 */
import { backward } from '../tensor/autodiff.js';
import { gatherRows } from '../tensor/ops/slice.js';
import { mean, square, sub } from '../tensor/ops/index.js';
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Model } from '../nn/mlp.js';
import type { LocalTrainingConfig } from './messages.js';

export interface LocalTrainingOptions {
  /** Batch order. */
  readonly rng: Rng;
  /** Called with (gradient, parameters) after each backward pass; may modify the gradient in place. */
  readonly onGradient?: (grads: Float64Array, values: Float64Array) => void;
}

export interface LocalTrainingOutcome {
  /** Optimizer steps taken. */
  readonly steps: number;
  /** Mean minibatch loss of the last (possibly partial) epoch. */
  readonly lastEpochLoss: number;
}

/** Trains `model` in place on (x, y) by minibatch MSE descent. */
export function trainLocally(model: Model, x: Tensor, y: Tensor, config: LocalTrainingConfig, options: LocalTrainingOptions): LocalTrainingOutcome {
  const params = model.parameters;
  const n = x.rows;
  const batchSize = Math.max(1, Math.min(config.batchSize, n));
  const maxSteps = config.maxSteps ?? Number.POSITIVE_INFINITY;
  const adam = config.optimizer === 'adam' ? { m: new Float64Array(params.count), v: new Float64Array(params.count) } : null;
  let steps = 0;
  let lastEpochLoss = Number.NaN;
  for (let epoch = 0; epoch < config.epochs && steps < maxSteps; epoch++) {
    const order = options.rng.permutation(n);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < n && steps < maxSteps; start += batchSize) {
      const idx = order.subarray(start, Math.min(n, start + batchSize));
      params.zeroGrad();
      const loss = mean(square(sub(model.forward(gatherRows(x, idx)), gatherRows(y, idx))));
      backward(loss);
      lossSum += loss.item();
      batches++;
      options.onGradient?.(params.grads, params.values);
      step(params.values, params.grads, config.learningRate, adam, ++steps);
    }
    lastEpochLoss = lossSum / batches;
  }
  return { steps, lastEpochLoss };
}

function step(w: Float64Array, g: Float64Array, lr: number, adam: { m: Float64Array; v: Float64Array } | null, t: number): void {
  if (adam === null) {
    for (let i = 0; i < w.length; i++) w[i] -= lr * g[i];
    return;
  }
  // Adam (Kingma & Ba 2015) with the usual defaults.
  const b1 = 0.9;
  const b2 = 0.999;
  const c1 = 1 - b1 ** t;
  const c2 = 1 - b2 ** t;
  for (let i = 0; i < w.length; i++) {
    adam.m[i] = b1 * adam.m[i] + (1 - b1) * g[i];
    adam.v[i] = b2 * adam.v[i] + (1 - b2) * g[i] * g[i];
    w[i] -= (lr * adam.m[i]) / c1 / (Math.sqrt(adam.v[i] / c2) + 1e-8);
  }
}
