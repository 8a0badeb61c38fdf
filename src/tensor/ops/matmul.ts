/** Matrix products with their gradient rules. */
import { Tensor, shapeOf } from '../tensor.js';
import { recordOp } from '../autodiff.js';
import { gemm } from '../kernels/gemm.js';

// ---------------------------------------------------------------------------------------------
// Matrix multiply

export interface MatmulOptions {
  /** Use aᵀ instead of a. Default false. */
  transA?: boolean;
  /** Use bᵀ instead of b. Default false. */
  transB?: boolean;
}

/** op(a) · op(b), with op = transpose where asked. */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (k !== kb) {
    throw new RangeError(
      `matmul: inner dimensions differ: ${transA ? 'aᵀ' : 'a'} ${shapeOf(a)}${transA ? ' (transposed)' : ''} has ${k} columns, ` +
        `${transB ? 'bᵀ' : 'b'} ${shapeOf(b)}${transB ? ' (transposed)' : ''} has ${kb} rows`,
    );
  }
  const out = new Tensor(m, n);
  gemm(transA, transB, m, n, k, a.data, b.data, 0, out.data);
  return recordOp('matmul', out, [a, b], (g) => {
    // C = op(A) op(B):  dA = g op(B)ᵀ (transposed back if transA), dB = op(A)ᵀ g (likewise).
    if (a.requiresGrad) {
      const ga = a.ensureGrad();
      if (!transA) gemm(false, !transB, m, k, n, g, b.data, 1, ga);
      else gemm(transB, true, k, m, n, b.data, g, 1, ga);
    }
    if (b.requiresGrad) {
      const gb = b.ensureGrad();
      if (!transB) gemm(!transA, false, k, n, m, a.data, g, 1, gb);
      else gemm(true, transA, n, k, m, g, a.data, 1, gb);
    }
  });
}
