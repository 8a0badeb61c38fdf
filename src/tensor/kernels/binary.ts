/**
 * Loops of the broadcasting binary ops (add, sub, mul, div, pow, maximum, minimum), forward and
 * backward, one hand-written loop per op so V8 compiles each to straight arithmetic (a shared loop
 * calling a per-op closure per element was megamorphic and ~10× slower).
 *
 * Broadcasting is described by strides: element (i, j) of an operand sits at i·rowStride +
 * j·colStride, with a stride 0 along each axis the operand broadcasts over. `+=` into a broadcast
 * operand's gradient sums over the broadcast axis, in row-major order (deterministic).
 */

export const BinaryOp = { add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6 } as const;
export type BinaryOp = (typeof BinaryOp)[keyof typeof BinaryOp];

/** Output shape and each operand's strides; `rows` is 1 when both operands are full or scalar (one flat loop). */
export interface BinaryLayout {
  rows: number;
  cols: number;
  aRow: number;
  aCol: number;
  bRow: number;
  bCol: number;
}

/** Strides for operands [ar, ac] and [br, bc] broadcast to [rows, cols] (shapes already checked). */
export function binaryLayout(ar: number, ac: number, br: number, bc: number, rows: number, cols: number): BinaryLayout {
  const aFull = ar === rows && ac === cols;
  const bFull = br === rows && bc === cols;
  const aScalar = ar === 1 && ac === 1;
  const bScalar = br === 1 && bc === 1;
  if ((aFull || aScalar) && (bFull || bScalar)) {
    return { rows: 1, cols: rows * cols, aRow: 0, aCol: aFull ? 1 : 0, bRow: 0, bCol: bFull ? 1 : 0 };
  }
  return {
    rows,
    cols,
    aRow: ar === 1 ? 0 : ac,
    aCol: ac === 1 ? 0 : 1,
    bRow: br === 1 ? 0 : bc,
    bCol: bc === 1 ? 0 : 1,
  };
}

/** out = a ∘ b elementwise. */
export function binaryForward(op: BinaryOp, s: BinaryLayout, a: Float64Array, b: Float64Array, out: Float64Array): void {
  const { rows, cols, aRow, aCol, bRow, bCol } = s;
  let o = 0;
  for (let i = 0; i < rows; i++) {
    let ia = i * aRow;
    let ib = i * bRow;
    const end = o + cols;
    switch (op) {
      case BinaryOp.add: for (; o < end; o++, ia += aCol, ib += bCol) out[o] = a[ia] + b[ib]; break;
      case BinaryOp.sub: for (; o < end; o++, ia += aCol, ib += bCol) out[o] = a[ia] - b[ib]; break;
      case BinaryOp.mul: for (; o < end; o++, ia += aCol, ib += bCol) out[o] = a[ia] * b[ib]; break;
      case BinaryOp.div: for (; o < end; o++, ia += aCol, ib += bCol) out[o] = a[ia] / b[ib]; break;
      case BinaryOp.pow: for (; o < end; o++, ia += aCol, ib += bCol) out[o] = Math.pow(a[ia], b[ib]); break;
      case BinaryOp.maximum: for (; o < end; o++, ia += aCol, ib += bCol) out[o] = a[ia] >= b[ib] ? a[ia] : b[ib]; break;
      case BinaryOp.minimum: for (; o < end; o++, ia += aCol, ib += bCol) out[o] = a[ia] <= b[ib] ? a[ia] : b[ib]; break;
    }
  }
}

/** ga += g · ∂(a ∘ b)/∂a, summed over the axes a broadcasts along. */
export function binaryBackwardA(op: BinaryOp, s: BinaryLayout, a: Float64Array, b: Float64Array, _out: Float64Array, g: Float64Array, ga: Float64Array): void {
  const { rows, cols, aRow, aCol, bRow, bCol } = s;
  let o = 0;
  for (let i = 0; i < rows; i++) {
    let ia = i * aRow;
    let ib = i * bRow;
    const end = o + cols;
    switch (op) {
      case BinaryOp.add:
      case BinaryOp.sub: for (; o < end; o++, ia += aCol) ga[ia] += g[o]; break;
      case BinaryOp.mul: for (; o < end; o++, ia += aCol, ib += bCol) ga[ia] += g[o] * b[ib]; break;
      case BinaryOp.div: for (; o < end; o++, ia += aCol, ib += bCol) ga[ia] += g[o] / b[ib]; break;
      case BinaryOp.pow:
        for (; o < end; o++, ia += aCol, ib += bCol) {
          const y = b[ib];
          if (y !== 0) ga[ia] += g[o] * y * Math.pow(a[ia], y - 1);
        }
        break;
      case BinaryOp.maximum: for (; o < end; o++, ia += aCol, ib += bCol) if (a[ia] >= b[ib]) ga[ia] += g[o]; break;
      case BinaryOp.minimum: for (; o < end; o++, ia += aCol, ib += bCol) if (a[ia] <= b[ib]) ga[ia] += g[o]; break;
    }
  }
}

/** gb += g · ∂(a ∘ b)/∂b, summed over the axes b broadcasts along. */
export function binaryBackwardB(op: BinaryOp, s: BinaryLayout, a: Float64Array, b: Float64Array, out: Float64Array, g: Float64Array, gb: Float64Array): void {
  const { rows, cols, aRow, aCol, bRow, bCol } = s;
  let o = 0;
  for (let i = 0; i < rows; i++) {
    let ia = i * aRow;
    let ib = i * bRow;
    const end = o + cols;
    switch (op) {
      case BinaryOp.add: for (; o < end; o++, ib += bCol) gb[ib] += g[o]; break;
      case BinaryOp.sub: for (; o < end; o++, ib += bCol) gb[ib] -= g[o]; break;
      case BinaryOp.mul: for (; o < end; o++, ia += aCol, ib += bCol) gb[ib] += g[o] * a[ia]; break;
      // ∂(x/y)/∂y = −x/y² = −out/y
      case BinaryOp.div: for (; o < end; o++, ib += bCol) gb[ib] -= (g[o] * out[o]) / b[ib]; break;
      // ∂(x^y)/∂y = x^y·ln x, taken as 0 where x ≤ 0 (y is then an integer by the op's contract)
      case BinaryOp.pow: for (; o < end; o++, ia += aCol, ib += bCol) if (a[ia] > 0) gb[ib] += g[o] * out[o] * Math.log(a[ia]); break;
      case BinaryOp.maximum: for (; o < end; o++, ia += aCol, ib += bCol) if (!(a[ia] >= b[ib])) gb[ib] += g[o]; break;
      case BinaryOp.minimum: for (; o < end; o++, ia += aCol, ib += bCol) if (!(a[ia] <= b[ib])) gb[ib] += g[o]; break;
    }
  }
}
