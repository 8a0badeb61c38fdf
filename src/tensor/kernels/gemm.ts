/**
 * Dense matrix multiply kernels on raw row-major Float64Arrays:
 * C = op(A) · op(B) + beta·C, with op = identity or transpose.
 *
 * Written by hand because no maintained npm package offers float64 GEMM for Node without native
 * binaries. These are the portable TypeScript kernels; faster ones may replace them behind the same
 * signature.
 *
 * @param m rows of op(A) and C
 * @param n columns of op(B) and C
 * @param k columns of op(A) = rows of op(B)
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float64Array,
  b: Float64Array,
  beta: 0 | 1,
  c: Float64Array,
): void {
  if (beta === 0) c.fill(0, 0, m * n);
  if (!transA && !transB) {
    // i-p-j order: the inner loop streams rows of B and C.
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      const ai = i * k;
      for (let p = 0; p < k; p++) {
        const aip = a[ai + p];
        if (aip === 0) continue;
        const bp = p * n;
        for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
      }
    }
  } else if (!transA && transB) {
    // C[i,j] = sum_p A[i,p] B[j,p]: dot products of rows.
    for (let i = 0; i < m; i++) {
      const ai = i * k;
      for (let j = 0; j < n; j++) {
        const bj = j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
        c[i * n + j] += s;
      }
    }
  } else if (transA && !transB) {
    // C[i,j] = sum_p A[p,i] B[p,j]
    for (let p = 0; p < k; p++) {
      const ap = p * m;
      const bp = p * n;
      for (let i = 0; i < m; i++) {
        const api = a[ap + i];
        if (api === 0) continue;
        const ci = i * n;
        for (let j = 0; j < n; j++) c[ci + j] += api * b[bp + j];
      }
    }
  } else {
    // C[i,j] = sum_p A[p,i] B[j,p]
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[p * m + i] * b[j * k + p];
        c[i * n + j] += s;
      }
    }
  }
}
