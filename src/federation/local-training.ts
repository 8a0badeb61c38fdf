/**
 * A plant's local training in one round: the task's config mapped onto `src/nn`'s `fit` loop, with
 * its `onGradient` hook through which FedProx and SCAFFOLD alter the gradient before the step.
 * The optimizer starts fresh every round, as is usual in federated learning.
 *
 * `maxSteps` (a fixed number of local steps, e.g. personalization's k) is honoured exactly by
 * handing `fit` the rows of exactly that many minibatches, drawn as consecutive seeded shuffles.
 *
 * The loss is MSE, unless the model is a classifier (`src/classify/classifier.ts`): then y holds
 * class labels and the loss is cross-entropy, weighted by `classWeights` when the fit config
 * carries them (a classifier strategy sends weights from the plants' pooled class counts).
 *
 * @example
 * trainLocally(model, x, y, { epochs: 1, batchSize: 32, learningRate: 0.01, optimizer: 'sgd' }, { seed: 3 });
 */
import { fit } from '../nn/fit.js';
import { Adam } from '../nn/adam.js';
import { Sgd } from '../nn/sgd.js';
import type { Model } from '../nn/mlp.js';
import type { Parameters } from '../nn/parameters.js';
import { gatherRows } from '../tensor/ops/slice.js';
import { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { classifierTraining } from '../classify/classifier.js';
import type { LocalTrainingConfig } from './messages.js';

/** What a fit config may add for classifiers: one weight per class (the loss of a row × its class's weight). */
export interface ClassWeightConfig {
  readonly classWeights?: readonly number[];
}

export interface LocalTrainingOptions {
  /** Seed of the batch order. */
  readonly seed: number;
  /** Called after each backward pass, before the step; may modify `params.grads`. */
  readonly onGradient?: (params: Parameters) => void;
}

export interface LocalTrainingOutcome {
  /** Optimizer steps taken. */
  readonly steps: number;
  /** Mean loss of the last epoch. */
  readonly lastEpochLoss: number;
}

/** Trains `model` in place on (x, y) with MSE (a classifier: cross-entropy on labels y). */
export function trainLocally(model: Model, x: Tensor, y: Tensor, config: LocalTrainingConfig & ClassWeightConfig, options: LocalTrainingOptions): LocalTrainingOutcome {
  const n = x.rows;
  const batchSize = Math.max(1, Math.min(config.batchSize, n));
  const stepsPerEpoch = Math.ceil(n / batchSize);
  let data = { x, y };
  let epochs = config.epochs;
  if (config.maxSteps !== undefined && config.maxSteps < epochs * stepsPerEpoch) {
    data = stepRows(x, y, config.maxSteps, batchSize, options.seed);
    epochs = 1;
  }
  const params = model.parameters;
  const optimizer = config.optimizer === 'adam' ? new Adam(params, { lr: config.learningRate }) : new Sgd(params, { lr: config.learningRate });
  const classifier = classifierTraining(model, data.y, { classWeights: classWeightsOf(config) });
  const history = fit(model, data.x, classifier?.targets ?? data.y, {
    epochs, batchSize, optimizer, seed: options.seed, loss: classifier?.loss ?? 'mse', onGradient: options.onGradient,
    // The step rows are already drawn in shuffled order.
    shuffle: data.x === x,
  });
  return { steps: history.steps, lastEpochLoss: history.epochLoss[history.epochLoss.length - 1] };
}

/** The class weights of a fit config, checked (the config travels as JSON). */
function classWeightsOf(config: ClassWeightConfig): readonly number[] | undefined {
  const w: unknown = config.classWeights;
  if (w === undefined || w === null) return undefined;
  if (!Array.isArray(w) || !w.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
    throw new RangeError(`fit config: classWeights must be a list of finite numbers ≥ 0, got ${JSON.stringify(w)}`);
  }
  return w;
}

/** The rows of `steps` minibatches, taken from consecutive seeded shuffles of the data. */
function stepRows(x: Tensor, y: Tensor, steps: number, batchSize: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const wanted = steps * batchSize;
  const idx = new Int32Array(wanted);
  for (let filled = 0; filled < wanted; ) {
    const perm = rng.permutation(x.rows);
    const take = Math.min(perm.length, wanted - filled);
    idx.set(perm.subarray(0, take), filled);
    filled += take;
  }
  return { x: gatherRows(x, idx).detach(), y: gatherRows(y, idx).detach() };
}
