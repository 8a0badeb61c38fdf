/** Shape ops (reshape, transpose, …) with their gradient rules. */
import { Tensor, shapeOf } from '../tensor.js';
import { recordOp } from '../autodiff.js';

// ---------------------------------------------------------------------------------------------
// Shape ops

/** Same values, new shape (row-major order kept). */
export function reshape(a: Tensor, rows: number, cols: number): Tensor {
  if (rows * cols !== a.size) {
    throw new RangeError(`reshape: cannot reshape ${shapeOf(a)} (${a.size} values) to [${rows}, ${cols}]`);
  }
  const out = new Tensor(rows, cols, a.data.slice());
  return recordOp('reshape', out, [a], (g) => {
    const ga = a.ensureGrad();
    for (let i = 0; i < g.length; i++) ga[i] += g[i];
  });
}

/** aᵀ. */
export function transpose(a: Tensor): Tensor {
  const { rows, cols } = a;
  const out = new Tensor(cols, rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out.data[j * rows + i] = a.data[i * cols + j];
  return recordOp('transpose', out, [a], (g) => {
    const ga = a.ensureGrad();
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) ga[i * cols + j] += g[j * rows + i];
  });
}
