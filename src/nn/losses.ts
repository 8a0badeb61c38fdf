/**
 * Regression losses over a batch of predictions [n, k] and targets of the same shape, built from
 * primitive ops (so their gradients come from the op table).
 *
 * With reduction 'mean' (the default) every loss is the mean over all n·k values, so the loss of a
 * batch is the mean of the losses of its rows — what per-example gradients (DP-SGD) rely on.
 *
 * @example
 * const l = mse(model.forward(x), y);            // [1, 1]
 * const h = huber(pred, y, { delta: 0.5, reduction: 'sum' });
 */
import type { Tensor } from '../tensor/tensor.js';
import { shapeOf } from '../tensor/tensor.js';
import { abs, add, mean, minimum, mul, square, squaredError, sub, sum } from '../tensor/ops/index.js';

export type Reduction = 'mean' | 'sum';

export interface LossOptions {
  /** 'mean' over all values (default) or 'sum'. */
  reduction?: Reduction;
}

export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear. Default 1. */
  delta?: number;
}

/** A loss: predictions and targets of the same shape to a [1, 1] tensor. */
export type Loss = (prediction: Tensor, target: Tensor) => Tensor;

function checkSameShape(op: string, prediction: Tensor, target: Tensor): void {
  if (prediction.rows !== target.rows || prediction.cols !== target.cols) {
    throw new RangeError(`${op}: prediction ${shapeOf(prediction)} and target ${shapeOf(target)} must have the same shape`);
  }
}

function residual(op: string, prediction: Tensor, target: Tensor): Tensor {
  checkSameShape(op, prediction, target);
  return sub(prediction, target);
}

function reduce(op: string, values: Tensor, reduction: Reduction | undefined): Tensor {
  if (reduction === undefined || reduction === 'mean') return mean(values);
  if (reduction === 'sum') return sum(values);
  throw new RangeError(`${op}: unknown reduction '${String(reduction)}': expected 'mean' or 'sum'`);
}

/** Mean (or sum) of squared errors, as one op (`squaredError`). */
export function mse(prediction: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkSameShape('mse', prediction, target);
  const reduction = options.reduction ?? 'mean';
  if (reduction === 'sum') return squaredError(prediction, target);
  if (reduction !== 'mean') throw new RangeError(`mse: unknown reduction '${String(reduction)}': expected 'mean' or 'sum'`);
  if (prediction.size === 0) throw new RangeError(`mse: prediction ${shapeOf(prediction)} has no values to average`);
  return squaredError(prediction, target, 1 / prediction.size);
}

/** Mean (or sum) of absolute errors. */
export function mae(prediction: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  return reduce('mae', abs(residual('mae', prediction, target)), options.reduction);
}

/**
 * Huber loss (Huber 1964): ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond; written as ½c² + δ(|r| − c) with
 * c = min(|r|, δ), which is the same function with a continuous gradient.
 */
export function huber(prediction: Tensor, target: Tensor, options: HuberOptions = {}): Tensor {
  const delta = options.delta ?? 1;
  if (!(delta > 0) || !Number.isFinite(delta)) throw new RangeError(`huber: delta must be a positive finite number, got ${delta}`);
  const a = abs(residual('huber', prediction, target));
  const c = minimum(a, delta);
  return reduce('huber', add(mul(square(c), 0.5), mul(sub(a, c), delta)), options.reduction);
}

export const losses = { mse, mae, huber } as const;

export type LossName = keyof typeof losses;

/** The loss called `name` (with default options); an unknown name is a RangeError listing the known ones. */
export function lossByName(name: string): Loss {
  if (!Object.hasOwn(losses, name)) {
    throw new RangeError(`Unknown loss '${name}': expected one of ${Object.keys(losses).join(', ')}`);
  }
  // The function itself (a Loss passes no options), so that lossGradient recognises mse.
  return losses[name as LossName];
}
