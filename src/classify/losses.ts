/**
 * Classification losses over logits, built from the core's primitive ops (their gradients come from
 * the op table), with class weights for rare classes such as casting defects or off-spec heats.
 *
 * Weighted losses follow the usual convention (King & Zeng 2001; scikit-learn's
 * `class_weight='balanced'`): each example's loss is multiplied by the weight of its true class, so
 * a rare class with weight n/(K·n_k) counts as much in total as a frequent one. With reduction
 * 'mean' the weighted sum is divided by the number of rows (not by the sum of weights), so the loss
 * of a batch stays the mean of per-row losses — what per-example clipping (DP-SGD) relies on.
 *
 * @example
 * const l = sigmoidCrossEntropy(model.forward(x), y, { classWeights: [1, 19] });  // y in {0, 1}, [n, 1]
 * const m = softmaxCrossEntropy(model.forward(x), labels, { classWeights: balancedClassWeights(counts) });
 */
import { logSoftmax } from '../tensor/composite.js';
import { mean, mul, neg, softplus, sub, sum } from '../tensor/ops/index.js';
import { Tensor, shapeOf } from '../tensor/tensor.js';
import type { Loss, Reduction } from '../nn/losses.js';

export interface ClassificationLossOptions {
  /** Weight of each class (index = class); default all 1. Binary: [weight of 0, weight of 1]. */
  readonly classWeights?: readonly number[];
  /** 'mean' over rows (default) or 'sum'. */
  readonly reduction?: Reduction;
}

function checkWeights(op: string, weights: readonly number[] | undefined, classes: number): void {
  if (weights === undefined) return;
  if (weights.length !== classes) throw new RangeError(`${op}: classWeights has ${weights.length} values for ${classes} classes`);
  weights.forEach((w, k) => {
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`${op}: classWeights[${k}] must be a finite number ≥ 0, got ${w}`);
  });
}

function reduce(values: Tensor, reduction: Reduction | undefined, op: string): Tensor {
  if (reduction === undefined || reduction === 'mean') return mean(values);
  if (reduction === 'sum') return sum(values);
  throw new RangeError(`${op}: unknown reduction '${String(reduction)}': expected 'mean' or 'sum'`);
}

/** The class index of target row i, checked to be an integer in [0, classes). */
function classOf(op: string, targets: Tensor, i: number, classes: number): number {
  const c = targets.data[i];
  if (!Number.isInteger(c) || c < 0 || c >= classes) {
    throw new RangeError(`${op}: target at row ${i} is ${c}; expected a class index in [0, ${classes})`);
  }
  return c;
}

/**
 * Binary cross-entropy of logits z [n, 1] against labels y ∈ {0, 1} [n, 1], in the stable form
 * softplus(z) − y·z (= −y log σ(z) − (1 − y) log(1 − σ(z))).
 */
export function sigmoidCrossEntropy(logits: Tensor, targets: Tensor, options: ClassificationLossOptions = {}): Tensor {
  const op = 'sigmoidCrossEntropy';
  if (logits.cols !== 1 || targets.cols !== 1 || logits.rows !== targets.rows) {
    throw new RangeError(`${op}: logits ${shapeOf(logits)} and targets ${shapeOf(targets)} must both be [n, 1]`);
  }
  checkWeights(op, options.classWeights, 2);
  for (let i = 0; i < targets.rows; i++) classOf(op, targets, i, 2);
  const perRow = sub(softplus(logits), mul(logits, targets));
  if (options.classWeights === undefined) return reduce(perRow, options.reduction, op);
  const [w0, w1] = options.classWeights;
  const w = new Tensor(targets.rows, 1, targets.data.map((y) => (y === 1 ? w1 : w0)));
  return reduce(mul(perRow, w), options.reduction, op);
}

/**
 * Softmax cross-entropy of logits [n, K] against class indices [n, 1] (values 0 … K−1), or against
 * one-hot rows [n, K] (the shape `fit` needs, since it checks targets against the model's outputs):
 * −w_{y_i} · log softmax(z_i)[y_i].
 */
export function softmaxCrossEntropy(logits: Tensor, targets: Tensor, options: ClassificationLossOptions = {}): Tensor {
  const op = 'softmaxCrossEntropy';
  const K = logits.cols;
  if ((targets.cols !== 1 && targets.cols !== K) || targets.rows !== logits.rows) {
    throw new RangeError(`${op}: targets ${shapeOf(targets)} must be class indices [${logits.rows}, 1] or one-hot rows [${logits.rows}, ${K}] for logits ${shapeOf(logits)}`);
  }
  if (K < 2) throw new RangeError(`${op}: logits ${shapeOf(logits)} need at least 2 classes (columns); use sigmoidCrossEntropy for one logit`);
  checkWeights(op, options.classWeights, K);
  // The weighted one-hot selection is a constant: the gradient flows through logSoftmax only.
  const select = new Tensor(logits.rows, K);
  const indices = targets.cols === 1 ? targets : oneHotToIndices(op, targets);
  for (let i = 0; i < logits.rows; i++) {
    const c = classOf(op, indices, i, K);
    select.data[i * K + c] = options.classWeights?.[c] ?? 1;
  }
  const perRow = neg(sum(mul(logSoftmax(logits, 1), select), 1));
  return reduce(perRow, options.reduction, op);
}

/** Class indices [n, 1] of one-hot rows [n, K]; a row that is not one-hot is a RangeError naming it. */
export function oneHotToIndices(op: string, oneHot: Tensor): Tensor {
  const K = oneHot.cols;
  const out = new Tensor(oneHot.rows, 1);
  for (let i = 0; i < oneHot.rows; i++) {
    let c = -1;
    for (let k = 0; k < K; k++) {
      const v = oneHot.data[i * K + k];
      if (v === 1 && c < 0) c = k;
      else if (v !== 0) c = -2;
    }
    if (c < 0) throw new RangeError(`${op}: target row ${i} is not one-hot (expected one 1 and ${K - 1} zeros)`);
    out.data[i] = c;
  }
  return out;
}

/** One-hot rows [n, K] of class indices (any array of integers in [0, K)). */
export function oneHot(labels: ArrayLike<number>, classes: number): Tensor {
  const out = new Tensor(labels.length, classes);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new RangeError(`oneHot: label ${i} is ${c}; expected a class index in [0, ${classes})`);
    out.data[i * classes + c] = 1;
  }
  return out;
}

/**
 * "Balanced" class weights n/(K·n_k) from class counts (which plants can share and sum: a count
 * reveals no row). A class with no examples gets weight 0.
 *
 * @example
 * balancedClassWeights([950, 50]); // [0.526, 10]
 */
export function balancedClassWeights(counts: readonly number[]): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  if (!(n > 0)) throw new RangeError(`balancedClassWeights: counts [${counts}] hold no examples`);
  return counts.map((c) => (c > 0 ? n / (counts.length * c) : 0));
}

/** A `Loss` for `fit` (binary when `classes` is 2 and the model has one output, else softmax). */
export function classificationLoss(options: ClassificationLossOptions & { readonly outputs: number }): Loss {
  return options.outputs === 1 ? (p, t) => sigmoidCrossEntropy(p, t, options) : (p, t) => softmaxCrossEntropy(p, t, options);
}
