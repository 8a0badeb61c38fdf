/**
 * Slicing, concatenation and row gathering with their gradient rules. These move values without
 * arithmetic, so each gradient rule scatters (or gathers) the output gradient back to where the
 * values came from.
 */
import { Tensor, shapeOf } from '../tensor.js';
import { recordOp } from '../autodiff.js';

export interface SliceRange {
  /** First row taken. Default 0. */
  rowStart?: number;
  /** One past the last row taken. Default: all rows. */
  rowEnd?: number;
  /** First column taken. Default 0. */
  colStart?: number;
  /** One past the last column taken. Default: all columns. */
  colEnd?: number;
}

function checkRange(op: string, what: string, start: number, end: number, size: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > size || start > end) {
    throw new RangeError(`${op}: ${what} range [${start}, ${end}) is not within [0, ${size}] (start ≤ end, integers)`);
  }
}

/**
 * The block of rows [rowStart, rowEnd) and columns [colStart, colEnd) of `a`.
 *
 * @example
 * slice(x, { colStart: 1, colEnd: 3 }); // columns 1 and 2 of every row
 */
export function slice(a: Tensor, range: SliceRange): Tensor {
  const r0 = range.rowStart ?? 0;
  const r1 = range.rowEnd ?? a.rows;
  const c0 = range.colStart ?? 0;
  const c1 = range.colEnd ?? a.cols;
  checkRange('slice', `row`, r0, r1, a.rows);
  checkRange('slice', `column`, c0, c1, a.cols);
  const rows = r1 - r0;
  const cols = c1 - c0;
  const out = new Tensor(rows, cols);
  for (let i = 0; i < rows; i++) {
    const src = (r0 + i) * a.cols + c0;
    out.data.set(a.data.subarray(src, src + cols), i * cols);
  }
  return recordOp('slice', out, [a], (g) => {
    const ga = a.ensureGrad();
    for (let i = 0; i < rows; i++) {
      const dst = (r0 + i) * a.cols + c0;
      for (let j = 0; j < cols; j++) ga[dst + j] += g[i * cols + j];
    }
  });
}

/** Rows [start, end) of `a` (all columns). */
export function sliceRows(a: Tensor, start: number, end: number): Tensor {
  return slice(a, { rowStart: start, rowEnd: end });
}

/** Columns [start, end) of `a` (all rows). */
export function sliceCols(a: Tensor, start: number, end: number): Tensor {
  return slice(a, { colStart: start, colEnd: end });
}

/**
 * Tensors joined along an axis: 0 stacks rows (all must have the same number of columns), 1 places
 * columns side by side (all must have the same number of rows).
 *
 * @example
 * concat([a, b], 1); // [r, a.cols + b.cols]
 */
export function concat(parts: readonly Tensor[], axis: 0 | 1): Tensor {
  if (parts.length === 0) throw new RangeError('concat: no tensors given');
  if (axis !== 0 && axis !== 1) throw new RangeError(`concat: axis must be 0 or 1, got ${String(axis)}`);
  const list = [...parts];
  const first = list[0];
  for (let p = 1; p < list.length; p++) {
    const t = list[p];
    if (axis === 0 ? t.cols !== first.cols : t.rows !== first.rows) {
      throw new RangeError(
        `concat: along axis ${axis} every tensor needs ${axis === 0 ? `${first.cols} columns` : `${first.rows} rows`} ` +
          `like tensor 0 ${shapeOf(first)}, but tensor ${p} is ${shapeOf(t)}`,
      );
    }
  }
  const rows = axis === 0 ? list.reduce((s, t) => s + t.rows, 0) : first.rows;
  const cols = axis === 1 ? list.reduce((s, t) => s + t.cols, 0) : first.cols;
  const out = new Tensor(rows, cols);
  // Offsets of each part in the output: a row offset (axis 0) or a column offset (axis 1).
  const offsets: number[] = [];
  let at = 0;
  for (const t of list) {
    offsets.push(at);
    at += axis === 0 ? t.rows : t.cols;
  }
  list.forEach((t, p) => {
    if (axis === 0) out.data.set(t.data, offsets[p] * cols);
    else for (let i = 0; i < rows; i++) out.data.set(t.data.subarray(i * t.cols, (i + 1) * t.cols), i * cols + offsets[p]);
  });
  return recordOp('concat', out, list, (g) => {
    list.forEach((t, p) => {
      if (!t.requiresGrad) return;
      const gt = t.ensureGrad();
      if (axis === 0) {
        const base = offsets[p] * cols;
        for (let k = 0; k < gt.length; k++) gt[k] += g[base + k];
      } else {
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < t.cols; j++) gt[i * t.cols + j] += g[i * cols + offsets[p] + j];
        }
      }
    });
  });
}

/**
 * The rows of `a` listed in `indices`, in that order (repeats allowed): [indices.length, a.cols].
 * The gradient of a repeated row is the sum over its copies.
 *
 * @example
 * gatherRows(x, [2, 0, 2]); // rows 2, 0 and 2 of x
 */
export function gatherRows(a: Tensor, indices: ArrayLike<number>): Tensor {
  const n = indices.length;
  const cols = a.cols;
  const idx = Int32Array.from(indices as ArrayLike<number>);
  for (let k = 0; k < n; k++) {
    const r = indices[k];
    if (!Number.isInteger(r) || r < 0 || r >= a.rows) {
      throw new RangeError(`gatherRows: index ${k} is ${r}, expected an integer row of ${shapeOf(a)} in [0, ${a.rows})`);
    }
  }
  const out = new Tensor(n, cols);
  for (let k = 0; k < n; k++) out.data.set(a.data.subarray(idx[k] * cols, (idx[k] + 1) * cols), k * cols);
  return recordOp('gatherRows', out, [a], (g) => {
    const ga = a.ensureGrad();
    for (let k = 0; k < n; k++) {
      const dst = idx[k] * cols;
      for (let j = 0; j < cols; j++) ga[dst + j] += g[k * cols + j];
    }
  });
}
