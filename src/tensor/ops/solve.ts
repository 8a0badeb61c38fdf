/**
 * The linear solve X = A⁻¹B as a primitive op, with its adjoint (Giles, "An extended collection of
 * matrix derivative results for forward and reverse mode AD", 2008, §2.3.1):
 *   dB = A⁻ᵀ G,   dA = −dB · Xᵀ,
 * where G is the output gradient. The LU factors of the forward pass are reused for A⁻ᵀ.
 */
import { Tensor, shapeOf } from '../tensor.js';
import { recordOp } from '../autodiff.js';
import { luFactor, luSolve } from '../lu.js';

/**
 * Solves A·X = B for X, with A square [n, n] and B [n, k] (dense LU with partial pivoting). A singular
 * A throws a CrucibleError with code SINGULAR_MATRIX.
 *
 * @example
 * const x = solve(jac, residual); // a Newton step, differentiable in both jac and residual
 */
export function solve(a: Tensor, b: Tensor): Tensor {
  if (a.rows !== a.cols) throw new RangeError(`solve: A must be square, got ${shapeOf(a)}`);
  if (b.rows !== a.rows) {
    throw new RangeError(`solve: B ${shapeOf(b)} must have ${a.rows} rows to match A ${shapeOf(a)}`);
  }
  const n = a.rows;
  const k = b.cols;
  const factors = luFactor(a.data, n, 'solve');
  const out = new Tensor(n, k, b.data.slice());
  luSolve(factors, out.data, k, false);
  const x = out.data;
  return recordOp('solve', out, [a, b], (g) => {
    const gb = g.slice();
    luSolve(factors, gb, k, true);
    if (b.requiresGrad) {
      const dB = b.ensureGrad();
      for (let i = 0; i < gb.length; i++) dB[i] += gb[i];
    }
    if (a.requiresGrad) {
      const dA = a.ensureGrad();
      // dA[i][j] −= Σ_c dB[i][c] · X[j][c]
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let c = 0; c < k; c++) s += gb[i * k + c] * x[j * k + c];
          dA[i * n + j] -= s;
        }
      }
    }
  });
}
