/**
 * Composite ops: built only from the primitive ops, so they need no gradient rules of their own.
 */
import type { Tensor } from './tensor.js';
import { add, exp, log, max, sub, sum } from './ops/index.js';

/**
 * log Σ exp(a), over all values ([1, 1]) or along an axis, computed stably by shifting with the max.
 * The shift's gradient cancels exactly (∂/∂m of m + log Σ e^(a−m) is 0), so gradients are exact.
 *
 * @example
 * logSumExp(Tensor.from([[0, Math.log(3)]]), 1).item(); // log 4
 */
export function logSumExp(a: Tensor, axis?: 0 | 1): Tensor {
  const m = max(a, axis);
  return add(m, log(sum(exp(sub(a, m)), axis)));
}

/**
 * Softmax along an axis (default 1: each row sums to 1), as exp(a − logSumExp(a)).
 *
 * @example
 * softmax(Tensor.from([[1, 1]])).toArray(); // [[0.5, 0.5]]
 */
export function softmax(a: Tensor, axis: 0 | 1 = 1): Tensor {
  return exp(sub(a, logSumExp(a, axis)));
}

/**
 * log-softmax along an axis (default 1), a − logSumExp(a).
 */
export function logSoftmax(a: Tensor, axis: 0 | 1 = 1): Tensor {
  return sub(a, logSumExp(a, axis));
}
