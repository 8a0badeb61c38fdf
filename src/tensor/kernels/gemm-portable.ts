/**
 * The portable TypeScript GEMM: C = op(A)·op(B) + beta·C on row-major Float64Arrays.
 *
 * Same algorithm and the same order of floating-point operations as the WebAssembly kernel
 * (asm/gemm.ts), so the two give identical bits: op(B) packed into column panels NR wide, op(A)
 * packed per MC × KC block into row panels MR tall, a 4×4 register-blocked micro-kernel, and per KC
 * block acc = Σ a·b, then C += acc (Goto & van de Geijn, ACM TOMS 2008). Used when the .wasm is not
 * built, and for products too small to be worth copying into wasm memory.
 */

// Must match asm/gemm.ts.
const MR = 4;
const NR = 4;
const KC = 256;
const MC = 64;

// Packing buffers, reused across calls (grown on demand) so the hot path allocates nothing.
let packedB = new Float64Array(1024);
const packedA = new Float64Array(MC * KC);

function packB(transB: boolean, k: number, n: number, b: Float64Array): Float64Array {
  const panels = Math.ceil(n / NR);
  if (packedB.length < panels * k * NR) packedB = new Float64Array(panels * k * NR);
  const bp = packedB;
  for (let jp = 0; jp < panels; jp++) {
    const j0 = jp * NR;
    const w = Math.min(NR, n - j0);
    let dst = jp * k * NR;
    for (let p = 0; p < k; p++) {
      for (let c = 0; c < NR; c++) bp[dst + c] = c < w ? b[transB ? (j0 + c) * k + p : p * n + j0 + c] : 0;
      dst += NR;
    }
  }
  return bp;
}

function packA(transA: boolean, m: number, k: number, a: Float64Array, i0: number, mc: number, p0: number, kc: number): void {
  const ap = packedA;
  let dst = 0;
  for (let r0 = i0; r0 < i0 + mc; r0 += MR) {
    const h = Math.min(MR, i0 + mc - r0);
    for (let p = 0; p < kc; p++) {
      for (let r = 0; r < MR; r++) ap[dst + r] = r < h ? a[transA ? (p0 + p) * m + r0 + r : (r0 + r) * k + p0 + p] : 0;
      dst += MR;
    }
  }
}

/** C tile (h × w at offset c0, leading dimension ldc) += packed A panel · packed B panel over kc. */
function microKernel(kc: number, ap: Float64Array, a0: number, bp: Float64Array, b0: number, c: Float64Array, c0: number, ldc: number, h: number, w: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ia = a0;
  let ib = b0;
  for (let p = 0; p < kc; p++) {
    const b_0 = bp[ib], b_1 = bp[ib + 1], b_2 = bp[ib + 2], b_3 = bp[ib + 3];
    let a = ap[ia];
    c00 += a * b_0; c01 += a * b_1; c02 += a * b_2; c03 += a * b_3;
    a = ap[ia + 1];
    c10 += a * b_0; c11 += a * b_1; c12 += a * b_2; c13 += a * b_3;
    a = ap[ia + 2];
    c20 += a * b_0; c21 += a * b_1; c22 += a * b_2; c23 += a * b_3;
    a = ap[ia + 3];
    c30 += a * b_0; c31 += a * b_1; c32 += a * b_2; c33 += a * b_3;
    ia += MR;
    ib += NR;
  }
  if (h === MR && w === NR) {
    let q = c0;
    c[q] += c00; c[q + 1] += c01; c[q + 2] += c02; c[q + 3] += c03;
    q += ldc;
    c[q] += c10; c[q + 1] += c11; c[q + 2] += c12; c[q + 3] += c13;
    q += ldc;
    c[q] += c20; c[q + 1] += c21; c[q + 2] += c22; c[q + 3] += c23;
    q += ldc;
    c[q] += c30; c[q + 1] += c31; c[q + 2] += c32; c[q + 3] += c33;
    return;
  }
  const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < h; r++) for (let j = 0; j < w; j++) c[c0 + r * ldc + j] += tile[r * NR + j];
}

/**
 * C = op(A)·op(B) + beta·C, with op = transpose where asked; C is m × n, op(A) m × k, op(B) k × n.
 *
 * @example
 * const c = new Float64Array(4);
 * gemmPortable(false, false, 2, 2, 1, Float64Array.of(1, 2), Float64Array.of(3, 4), 0, c); // [3, 4, 6, 8]
 */
export function gemmPortable(
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
  if (m === 0 || n === 0 || k === 0) return;
  const bp = packB(transB, k, n, b);
  const panels = Math.ceil(n / NR);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    for (let ib = 0; ib < m; ib += MC) {
      const mc = Math.min(MC, m - ib);
      packA(transA, m, k, a, ib, mc, p0, kc);
      for (let jp = 0; jp < panels; jp++) {
        const j0 = jp * NR;
        const w = Math.min(NR, n - j0);
        const b0 = (jp * k + p0) * NR;
        for (let ir = 0; ir < mc; ir += MR) {
          microKernel(kc, packedA, ir * kc, bp, b0, c, (ib + ir) * n + j0, n, Math.min(MR, mc - ir), w);
        }
      }
    }
  }
}
