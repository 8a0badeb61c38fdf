/**
 * Max and min reductions with their gradient rules: the whole gradient goes to the position of the
 * extreme value (the first one on ties), a valid subgradient where values tie.
 */
import { Tensor, shapeOf } from '../tensor.js';
import { recordOp } from '../autodiff.js';

function extremum(name: 'max' | 'min', a: Tensor, axis: 0 | 1 | undefined): Tensor {
  const { rows, cols } = a;
  const better = name === 'max' ? (x: number, y: number) => x > y : (x: number, y: number) => x < y;
  const count = axis === undefined ? a.size : axis === 0 ? rows : cols;
  if (count === 0) throw new RangeError(`${name}: tensor ${shapeOf(a)} has no values along the reduced axis`);
  if (axis !== undefined && axis !== 0 && axis !== 1) throw new RangeError(`${name}: axis must be 0, 1 or omitted, got ${String(axis)}`);
  const ad = a.data;
  // For each output value, the flat index in `a` it came from.
  const outRows = axis === 1 ? rows : 1;
  const outCols = axis === 0 ? cols : 1;
  const from = new Int32Array(outRows * outCols);
  const out = new Tensor(outRows, outCols);
  if (axis === undefined) {
    let best = 0;
    for (let i = 1; i < ad.length; i++) if (better(ad[i], ad[best]) || (Number.isNaN(ad[i]) && !Number.isNaN(ad[best]))) best = i;
    from[0] = best;
  } else if (axis === 0) {
    for (let j = 0; j < cols; j++) {
      let best = j;
      for (let i = 1; i < rows; i++) {
        const k = i * cols + j;
        if (better(ad[k], ad[best]) || (Number.isNaN(ad[k]) && !Number.isNaN(ad[best]))) best = k;
      }
      from[j] = best;
    }
  } else {
    for (let i = 0; i < rows; i++) {
      let best = i * cols;
      for (let j = 1; j < cols; j++) {
        const k = i * cols + j;
        if (better(ad[k], ad[best]) || (Number.isNaN(ad[k]) && !Number.isNaN(ad[best]))) best = k;
      }
      from[i] = best;
    }
  }
  // NaN propagates (as Math.max does): a NaN anywhere in the reduced range is the result.
  for (let k = 0; k < from.length; k++) out.data[k] = ad[from[k]];
  return recordOp(name, out, [a], (g) => {
    const ga = a.ensureGrad();
    for (let k = 0; k < from.length; k++) ga[from[k]] += g[k];
  });
}

/**
 * Largest value ([1, 1]), or along an axis: axis 0 gives each column's max [1, c], axis 1 each row's [r, 1].
 *
 * @example
 * max(Tensor.from([[1, 5], [7, 2]]), 1).toArray(); // [[5], [7]]
 */
export function max(a: Tensor, axis?: 0 | 1): Tensor {
  return extremum('max', a, axis);
}

/**
 * Smallest value ([1, 1]), or along an axis (as `max`).
 *
 * @example
 * min(Tensor.from([[1, 5], [7, 2]]), 0).toArray(); // [[1, 2]]
 */
export function min(a: Tensor, axis?: 0 | 1): Tensor {
  return extremum('min', a, axis);
}
