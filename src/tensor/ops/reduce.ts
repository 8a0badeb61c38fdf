/** Reductions (sum, mean, …) with their gradient rules. */
import { Tensor, shapeOf } from '../tensor.js';
import { recordOp } from '../autodiff.js';
import { mul } from './elementwise.js';

// ---------------------------------------------------------------------------------------------
// Reductions

/** Sum of all values ([1, 1]), or along an axis: axis 0 sums rows into [1, c], axis 1 sums columns into [r, 1]. */
export function sum(a: Tensor, axis?: 0 | 1): Tensor {
  const { rows, cols } = a;
  const ad = a.data;
  if (axis === undefined) {
    let s = 0;
    for (let i = 0; i < ad.length; i++) s += ad[i];
    return recordOp('sum', Tensor.scalar(s), [a], (g) => {
      const ga = a.ensureGrad();
      const g0 = g[0];
      for (let i = 0; i < ga.length; i++) ga[i] += g0;
    });
  }
  if (axis === 0) {
    const out = new Tensor(1, cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out.data[j] += ad[i * cols + j];
    return recordOp('sum', out, [a], (g) => {
      const ga = a.ensureGrad();
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) ga[i * cols + j] += g[j];
    });
  }
  const out = new Tensor(rows, 1);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += ad[i * cols + j];
    out.data[i] = s;
  }
  return recordOp('sum', out, [a], (g) => {
    const ga = a.ensureGrad();
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) ga[i * cols + j] += g[i];
  });
}

/** Mean of all values, or along an axis (as `sum`). */
export function mean(a: Tensor, axis?: 0 | 1): Tensor {
  const count = axis === undefined ? a.size : axis === 0 ? a.rows : a.cols;
  if (count === 0) throw new RangeError(`mean: tensor ${shapeOf(a)} has no values along the reduced axis`);
  return mul(sum(a, axis), 1 / count);
}


/**
 * scale · Σ (a − b)² over all values ([1, 1]) as one op: the squared-error loss without a residual,
 * a square and a sum on the tape. The same operations in the same order as
 * `mul(sum(square(sub(a, b))), scale)`, so the same bits.
 *
 * @example
 * squaredError(prediction, target, 1 / prediction.size); // the mean squared error
 */
export function squaredError(a: Tensor, b: Tensor, scale = 1): Tensor {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new RangeError(`squaredError: shapes ${shapeOf(a)} and ${shapeOf(b)} differ; expected equal shapes`);
  }
  const ad = a.data;
  const bd = b.data;
  let s = 0;
  for (let i = 0; i < ad.length; i++) {
    const d = ad[i] - bd[i];
    s += d * d;
  }
  return recordOp('squaredError', Tensor.scalar(s * scale), [a, b], (g) => {
    const gs = g[0] * scale;
    const ga = a.requiresGrad ? a.ensureGrad() : null;
    const gb = b.requiresGrad ? b.ensureGrad() : null;
    for (let i = 0; i < ad.length; i++) {
      const v = 2 * (ad[i] - bd[i]) * gs;
      if (ga !== null) ga[i] += v;
      if (gb !== null) gb[i] -= v;
    }
  });
}
