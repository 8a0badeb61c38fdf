/**
 * The minibatch training loop, and evaluation/prediction without a tape.
 *
 * Each epoch visits the rows in an order drawn from a seeded generator, so a run is reproducible
 * from its seed. Per step: forward, loss, backward into the flat gradient vector (`lossGradient`:
 * one fused pass for an MLP with MSE, the tape otherwise, the same bits either way), the `onGradient`
 * hook (where FedProx adds its proximal term and SCAFFOLD its control variates), optional clipping,
 * then the optimizer step.
 *
 * @example
 * const history = fit(model, x, y, { epochs: 200, batchSize: 32, optimizer: new Adam(model.parameters, { lr: 1e-2 }) });
 * const testLoss = evaluate(model, xTest, yTest);
 */
import { CrucibleError } from '../errors.js';
import { noGrad } from '../tensor/autodiff.js';
import { Rng } from '../tensor/rng.js';
import { Tensor, shapeOf } from '../tensor/tensor.js';
import { Adam } from './adam.js';
import { clipGradNorm } from './clip.js';
import { lossGradient } from './loss-gradient.js';
import { type Loss, type LossName, lossByName } from './losses.js';
import type { Model } from './mlp.js';
import type { Optimizer } from './optimizer.js';
import type { Parameters } from './parameters.js';

export interface StepInfo {
  epoch: number;
  /** Step number over the whole run (0-based). */
  step: number;
  /** Loss of this minibatch (before the update). */
  loss: number;
  batchSize: number;
}

export interface EpochInfo {
  epoch: number;
  /** Mean training loss over the epoch's minibatches, weighted by their sizes. */
  loss: number;
  steps: number;
}

export interface FitOptions {
  /** Passes over the data. Default 10. */
  epochs?: number;
  /** Rows per minibatch (the last one may be smaller). Default 32. */
  batchSize?: number;
  /** Loss function or name. Default 'mse'. */
  loss?: Loss | LossName;
  /** The optimizer (bound to `model.parameters`). Default: Adam with lr 1e-3. */
  optimizer?: Optimizer;
  /** Seed of the shuffling. Default 0. */
  seed?: number;
  /** Shuffle rows every epoch. Default true. */
  shuffle?: boolean;
  /** Clip the gradient's global L2 norm to this before each step. Default: no clipping. */
  clipNorm?: number;
  /**
   * Called with the parameters after backward, before clipping and the step; may modify
   * `params.grads` (e.g. replace it by a clipped, noised sum from `clippedGradientSum(model, batch.x,
   * batch.y, …)`). The batch tensors are reused buffers, valid only during the call.
   */
  onGradient?: (params: Parameters, batch: { x: Tensor; y: Tensor; step: number }) => void;
  /** Called after every step. */
  onStep?: (info: StepInfo) => void;
  /** Called after every epoch; returning 'stop' ends training. */
  onEpoch?: (info: EpochInfo) => void | 'stop';
}

export interface FitHistory {
  /** Mean training loss of each epoch. */
  epochLoss: number[];
  /** Optimizer steps taken. */
  steps: number;
}

/** Checks that `x` and `y` fit the model and hold only finite values; names the first bad value. */
export function checkModelData(op: string, model: Model, x: Tensor, y?: Tensor): void {
  if (x.cols !== model.inputSize) {
    throw new RangeError(`${op}: x ${shapeOf(x)} has ${x.cols} columns, the model expects ${model.inputSize} inputs`);
  }
  if (y !== undefined) {
    if (y.cols !== model.outputSize) {
      throw new RangeError(`${op}: y ${shapeOf(y)} has ${y.cols} columns, the model has ${model.outputSize} outputs`);
    }
    if (y.rows !== x.rows) throw new RangeError(`${op}: x ${shapeOf(x)} and y ${shapeOf(y)} have different numbers of rows`);
  }
  for (const [name, t] of [['x', x], ['y', y]] as const) {
    if (t === undefined) continue;
    for (let k = 0; k < t.size; k++) {
      if (!Number.isFinite(t.data[k])) {
        throw new RangeError(
          `${op}: ${name} ${shapeOf(t)} has the non-finite value ${t.data[k]} at row ${Math.floor(k / t.cols)}, ` +
            `column ${k % t.cols}; expected finite numbers (drop or impute missing values first)`,
        );
      }
    }
  }
}

function resolveLoss(loss: Loss | LossName | undefined): Loss {
  return typeof loss === 'function' ? loss : lossByName(loss ?? 'mse');
}

function positiveInteger(op: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${op}: ${name} must be a positive integer, got ${v}`);
}

/** Copies rows `order[start..start+n)` of `src` into `dst` (n rows). */
function gatherInto(src: Tensor, order: Int32Array, start: number, dst: Tensor): void {
  const c = src.cols;
  for (let r = 0; r < dst.rows; r++) {
    const i = order[start + r];
    dst.data.set(src.data.subarray(i * c, i * c + c), r * c);
  }
}

/** Trains `model` on rows of `x` [n, inputs] with targets `y` [n, outputs] by minibatch gradient descent. */
export function fit(model: Model, x: Tensor, y: Tensor, options: FitOptions = {}): FitHistory {
  const epochs = options.epochs ?? 10;
  const batchSize = Math.min(options.batchSize ?? 32, Math.max(1, x.rows));
  positiveInteger('fit', 'epochs', epochs);
  positiveInteger('fit', 'batchSize', options.batchSize ?? 32);
  checkModelData('fit', model, x, y);
  if (x.rows === 0) throw new RangeError('fit: x has no rows');
  if (options.clipNorm !== undefined && !(options.clipNorm > 0)) throw new RangeError(`fit: clipNorm must be > 0, got ${options.clipNorm}`);
  const loss = resolveLoss(options.loss);
  const params = model.parameters;
  const optimizer = options.optimizer ?? new Adam(params);
  if (optimizer.parameters !== params) throw new RangeError('fit: the optimizer is bound to other parameters than the model being trained');
  const rng = new Rng(options.seed ?? 0);
  const n = x.rows;
  let order: Int32Array = new Int32Array(n).map((_, i) => i);
  // Batch buffers reused across steps (a smaller pair for the last, partial batch).
  const full = { x: new Tensor(batchSize, x.cols), y: new Tensor(batchSize, y.cols) };
  const rest = n % batchSize;
  const partial = rest === 0 ? full : { x: new Tensor(rest, x.cols), y: new Tensor(rest, y.cols) };
  const history: FitHistory = { epochLoss: [], steps: 0 };
  for (let epoch = 0; epoch < epochs; epoch++) {
    if (options.shuffle ?? true) order = rng.permutation(n);
    let total = 0;
    let stepsThisEpoch = 0;
    for (let start = 0; start < n; start += batchSize) {
      const batch = start + batchSize <= n ? full : partial;
      gatherInto(x, order, start, batch.x);
      gatherInto(y, order, start, batch.y);
      params.zeroGrad();
      const value = lossGradient(model, loss, batch.x, batch.y);
      if (!Number.isFinite(value)) {
        throw new CrucibleError(
          'NOT_CONVERGED',
          `fit: the training loss became ${value} at epoch ${epoch}, step ${history.steps} (learning rate ${optimizer.learningRate()}); ` +
            'lower the learning rate or scale the data',
          { epoch, step: history.steps },
        );
      }
      options.onGradient?.(params, { x: batch.x, y: batch.y, step: history.steps });
      if (options.clipNorm !== undefined) clipGradNorm(params.grads, options.clipNorm);
      optimizer.step();
      total += value * batch.x.rows;
      options.onStep?.({ epoch, step: history.steps, loss: value, batchSize: batch.x.rows });
      history.steps++;
      stepsThisEpoch++;
    }
    const epochLoss = total / n;
    history.epochLoss.push(epochLoss);
    if (options.onEpoch?.({ epoch, loss: epochLoss, steps: stepsThisEpoch }) === 'stop') break;
  }
  params.zeroGrad();
  return history;
}

/** The model's outputs for every row of `x`, computed without a tape in batches of `batchSize` (default 1024). */
export function predict(model: Model, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  const batchSize = options.batchSize ?? 1024;
  positiveInteger('predict', 'batchSize', batchSize);
  checkModelData('predict', model, x);
  const out = new Tensor(x.rows, model.outputSize);
  noGrad(() => {
    for (let start = 0; start < x.rows; start += batchSize) {
      const end = Math.min(x.rows, start + batchSize);
      const xb = new Tensor(end - start, x.cols, x.data.subarray(start * x.cols, end * x.cols));
      out.data.set(model.forward(xb).data, start * model.outputSize);
    }
  });
  return out;
}

/** The mean loss (default 'mse') of the model on `x`, `y`, computed without a tape. */
export function evaluate(model: Model, x: Tensor, y: Tensor, options: { loss?: Loss | LossName; batchSize?: number } = {}): number {
  checkModelData('evaluate', model, x, y);
  if (x.rows === 0) throw new RangeError('evaluate: x has no rows');
  const loss = resolveLoss(options.loss);
  const prediction = predict(model, x, { batchSize: options.batchSize });
  return noGrad(() => loss(prediction, y).item());
}
