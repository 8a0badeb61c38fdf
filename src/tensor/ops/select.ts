/**
 * Selection ops with their gradient rules: `where` picks each value from one of two tensors,
 * `clamp` limits values to a range. The condition itself carries no gradient.
 */
import { Tensor, shapeOf } from '../tensor.js';
import { recordOp } from '../autodiff.js';

/** Row and column strides of `t` when broadcast to [rows, cols] (0 along a broadcast axis), or null if it does not fit. */
function strides(t: Tensor, rows: number, cols: number): { row: number; col: number } | null {
  if ((t.rows !== rows && t.rows !== 1) || (t.cols !== cols && t.cols !== 1)) return null;
  return { row: t.rows === 1 ? 0 : t.cols, col: t.cols === 1 ? 0 : 1 };
}

/**
 * Elementwise choice: `a` where the condition holds, else `b`. The condition is a mask tensor
 * (nonzero = take `a`) or a predicate of the two candidate values. All three broadcast like `add`
 * (equal shapes, or [1, c], [r, 1], [1, 1]); numbers stand for [1, 1] constants. Gradients flow to the
 * side that was picked.
 *
 * @example
 * where((x, _y) => x > 0, z, 0);          // relu(z), written as a selection
 * where(mask, prediction, fallback);        // mask: a 0/1 tensor
 */
export function where(condition: Tensor | ((a: number, b: number) => boolean), aIn: Tensor | number, bIn: Tensor | number): Tensor {
  const a = typeof aIn === 'number' ? Tensor.scalar(aIn) : aIn;
  const b = typeof bIn === 'number' ? Tensor.scalar(bIn) : bIn;
  const mask = condition instanceof Tensor ? condition : null;
  const rows = Math.max(a.rows, b.rows, mask?.rows ?? 1);
  const cols = Math.max(a.cols, b.cols, mask?.cols ?? 1);
  const sa = strides(a, rows, cols);
  const sb = strides(b, rows, cols);
  const sm = mask === null ? { row: 0, col: 0 } : strides(mask, rows, cols);
  if (sa === null || sb === null || sm === null) {
    throw new RangeError(
      `where: shapes ${mask === null ? '' : `mask ${shapeOf(mask)}, `}a ${shapeOf(a)} and b ${shapeOf(b)} do not broadcast ` +
        `to [${rows}, ${cols}] (expected equal shapes, or [1, c], [r, 1] or [1, 1])`,
    );
  }
  if (mask === null && typeof condition !== 'function') {
    throw new TypeError(`where: condition must be a mask Tensor or a predicate (a, b) => boolean, got ${typeof condition}`);
  }
  const predicate = mask === null ? (condition as (a: number, b: number) => boolean) : null;
  const out = new Tensor(rows, cols);
  // Which side each output value came from, for the gradient.
  const fromA = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      const x = a.data[i * sa.row + j * sa.col];
      const y = b.data[i * sb.row + j * sb.col];
      const takeA = predicate !== null ? predicate(x, y) : mask!.data[i * sm.row + j * sm.col] !== 0;
      fromA[k] = takeA ? 1 : 0;
      out.data[k] = takeA ? x : y;
    }
  }
  return recordOp('where', out, [a, b], (g) => {
    const ga = a.requiresGrad ? a.ensureGrad() : null;
    const gb = b.requiresGrad ? b.ensureGrad() : null;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const k = i * cols + j;
        if (fromA[k] === 1) {
          if (ga !== null) ga[i * sa.row + j * sa.col] += g[k];
        } else if (gb !== null) {
          gb[i * sb.row + j * sb.col] += g[k];
        }
      }
    }
  });
}

/**
 * A 0/1 mask tensor (no gradient) marking where `predicate` holds for the values of `a`.
 *
 * @example
 * const inRange = mask(temperatureK, (t) => t > 300 && t < 600);
 */
export function mask(a: Tensor, predicate: (value: number) => boolean): Tensor {
  const out = new Tensor(a.rows, a.cols);
  for (let k = 0; k < a.size; k++) out.data[k] = predicate(a.data[k]) ? 1 : 0;
  return out;
}

/**
 * Values limited to [lo, hi]. The gradient is 1 where lo ≤ x ≤ hi and 0 where the value was cut.
 *
 * @example
 * clamp(Tensor.from([[-2, 0.5, 3]]), 0, 1).toArray(); // [[0, 0.5, 1]]
 */
export function clamp(a: Tensor, lo: number, hi: number): Tensor {
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) {
    throw new RangeError(`clamp: bounds [${lo}, ${hi}] are not an interval (expected lo ≤ hi, not NaN)`);
  }
  const out = new Tensor(a.rows, a.cols);
  const ad = a.data;
  for (let k = 0; k < ad.length; k++) out.data[k] = ad[k] < lo ? lo : ad[k] > hi ? hi : ad[k];
  return recordOp('clamp', out, [a], (g) => {
    const ga = a.ensureGrad();
    for (let k = 0; k < ad.length; k++) if (ad[k] >= lo && ad[k] <= hi) ga[k] += g[k];
  });
}
