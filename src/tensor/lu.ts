/**
 * Dense LU factorization with partial pivoting, PA = LU, on raw row-major Float64Arrays, and the
 * triangular solves for A·X = B and Aᵀ·X = B with the same factors (the second is what the adjoint of
 * a linear solve needs). Golub & Van Loan, Matrix Computations, 4th ed., Alg. 3.4.1.
 *
 * @example
 * const lu = luFactor(a, n); // throws SINGULAR_MATRIX if a pivot vanishes
 * luSolve(lu, b, k, false);  // b (n×k) overwritten with A⁻¹b
 */
import { CrucibleError } from '../errors.js';

export interface LuFactors {
  readonly n: number;
  /** L (unit lower, below the diagonal) and U (upper, with the diagonal) packed in one n×n matrix. */
  readonly lu: Float64Array;
  /** Row i of PA is row perm[i] of A. */
  readonly perm: Int32Array;
}

/**
 * Factors the n×n matrix `a` (not modified). A pivot smaller than n·ε·max|A| means the matrix is
 * singular to working precision: that is a domain failure (`SINGULAR_MATRIX`), e.g. a Newton step at
 * a degenerate point, reported with the column where elimination stopped.
 */
export function luFactor(a: Float64Array, n: number, op = 'solve'): LuFactors {
  const lu = a.slice(0, n * n);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(lu[i]));
  if (!Number.isFinite(scale)) {
    throw new RangeError(`${op}: the matrix [${n}, ${n}] contains a non-finite value (NaN or ±Infinity)`);
  }
  const tiny = n * Number.EPSILON * scale;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(lu[i * n + k]) > Math.abs(lu[p * n + k])) p = i;
    const pivot = lu[p * n + k];
    if (!(Math.abs(pivot) > tiny)) {
      throw new CrucibleError(
        'SINGULAR_MATRIX',
        `${op}: the matrix [${n}, ${n}] is singular to working precision (largest pivot in column ${k} is ${pivot}, max |A| is ${scale})`,
        { op, n, column: k, pivot },
      );
    }
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[k * n + j];
        lu[k * n + j] = lu[p * n + j];
        lu[p * n + j] = t;
      }
      const t = perm[k];
      perm[k] = perm[p];
      perm[p] = t;
    }
    for (let i = k + 1; i < n; i++) {
      const l = (lu[i * n + k] /= pivot);
      if (l === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= l * lu[k * n + j];
    }
  }
  return { n, lu, perm };
}

/**
 * Solves A·X = B (transposed = false) or Aᵀ·X = B (transposed = true) for the n×k right-hand sides
 * `b` (row-major), overwriting `b` with X.
 */
export function luSolve(f: LuFactors, b: Float64Array, k: number, transposed: boolean): void {
  const { n, lu, perm } = f;
  const x = new Float64Array(n * k);
  if (!transposed) {
    // A = Pᵀ L U: X = U⁻¹ L⁻¹ P B.
    for (let i = 0; i < n; i++) x.set(b.subarray(perm[i] * k, perm[i] * k + k), i * k);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < i; p++) {
        const l = lu[i * n + p];
        if (l !== 0) for (let c = 0; c < k; c++) x[i * k + c] -= l * x[p * k + c];
      }
    }
    for (let i = n - 1; i >= 0; i--) {
      for (let p = i + 1; p < n; p++) {
        const u = lu[i * n + p];
        if (u !== 0) for (let c = 0; c < k; c++) x[i * k + c] -= u * x[p * k + c];
      }
      const d = lu[i * n + i];
      for (let c = 0; c < k; c++) x[i * k + c] /= d;
    }
    b.set(x);
    return;
  }
  // Aᵀ = Uᵀ Lᵀ P: solve Uᵀ Z = B, Lᵀ W = Z, then X = Pᵀ W.
  x.set(b.subarray(0, n * k));
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < i; p++) {
      const u = lu[p * n + i];
      if (u !== 0) for (let c = 0; c < k; c++) x[i * k + c] -= u * x[p * k + c];
    }
    const d = lu[i * n + i];
    for (let c = 0; c < k; c++) x[i * k + c] /= d;
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let p = i + 1; p < n; p++) {
      const l = lu[p * n + i];
      if (l !== 0) for (let c = 0; c < k; c++) x[i * k + c] -= l * x[p * k + c];
    }
  }
  for (let i = 0; i < n; i++) b.set(x.subarray(i * k, i * k + k), perm[i] * k);
}
