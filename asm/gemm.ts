/**
 * Float64 GEMM for WebAssembly SIMD (f64x2), compiled by AssemblyScript at install time.
 *
 * The GotoBLAS/BLIS layering (Goto & van de Geijn, "Anatomy of high-performance matrix
 * multiplication", ACM TOMS 2008): op(B) is packed once into column panels NR wide, op(A) is packed
 * per (MC × KC) block into row panels MR tall, and a 4×4 register-blocked micro-kernel walks the
 * packed panels with unit stride. Packing absorbs the four transpose cases, so one micro-kernel
 * serves all of them.
 *
 * Every C element is accumulated in the same order whatever the row range a caller asks for:
 * per KC block, acc = Σ a·b (multiply then add, no FMA), then C += acc. Splitting rows across
 * threads therefore gives bit-identical results, and the TypeScript fallback
 * (src/tensor/kernels/gemm-portable.ts) mirrors this order exactly.
 *
 * Pointers are byte offsets into the (imported, shared) linear memory; the caller owns layout.
 */

// These must match src/tensor/kernels/gemm-portable.ts.
const MR: i32 = 4;
const NR: i32 = 4;
const KC: i32 = 256;
const MC: i32 = 64;

/** Bytes of per-thread scratch gemmRows needs at `ap` (a packed A block plus one edge tile). */
export function gemmScratchBytes(): i32 {
  return (MC * KC + MR * NR) * 8;
}

/**
 * Writes the first `count` columns of four rows (row r at src + r·ld) column by column: the four
 * values of column p land at dst + 32·p. Two columns at a time by lane shuffles; returns the end.
 */
// @ts-ignore: decorator
@inline function transposeFour(src: usize, ld: usize, count: i32, dst: usize): usize {
  let p = 0;
  for (; p + 2 <= count; p += 2) {
    const r0 = v128.load(src);
    const r1 = v128.load(src + ld);
    const r2 = v128.load(src + 2 * ld);
    const r3 = v128.load(src + 3 * ld);
    v128.store(dst, v128.shuffle<f64>(r0, r1, 0, 2));
    v128.store(dst, v128.shuffle<f64>(r2, r3, 0, 2), 16);
    v128.store(dst, v128.shuffle<f64>(r0, r1, 1, 3), 32);
    v128.store(dst, v128.shuffle<f64>(r2, r3, 1, 3), 48);
    src += 16;
    dst += 64;
  }
  if (p < count) {
    store<f64>(dst, load<f64>(src));
    store<f64>(dst, load<f64>(src + ld), 8);
    store<f64>(dst, load<f64>(src + 2 * ld), 16);
    store<f64>(dst, load<f64>(src + 3 * ld), 24);
    dst += 32;
  }
  return dst;
}

/** Packs op(B) (k × n) into ⌈n/NR⌉ panels of k × NR doubles, zero-padded on the right. */
export function packB(transB: i32, k: i32, n: i32, b: usize, bp: usize): void {
  const panels = (n + NR - 1) / NR;
  for (let jp = 0; jp < panels; jp++) {
    const j0 = jp * NR;
    const w = min(NR, n - j0);
    let dst = bp + (<usize>(jp * k * NR) << 3);
    if (transB == 0 && w == NR) {
      let src = b + (<usize>j0 << 3);
      const ld = <usize>n << 3;
      for (let p = 0; p < k; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += ld;
        dst += NR * 8;
      }
    } else if (transB != 0 && w == NR) {
      // op(B) = Bᵀ: the NR values of row p sit in column p of NR rows of B; two p at a time.
      const src = b + (<usize>(j0 * k) << 3);
      dst = transposeFour(src, <usize>k << 3, k, dst);
    } else {
      for (let p = 0; p < k; p++) {
        for (let c = 0; c < NR; c++) {
          let v = 0.0;
          if (c < w) v = load<f64>(b + (<usize>(transB ? (j0 + c) * k + p : p * n + j0 + c) << 3));
          store<f64>(dst + (<usize>c << 3), v);
        }
        dst += NR * 8;
      }
    }
  }
}

/** Packs rows [i0, i0+mc) × columns [p0, p0+kc) of op(A) into row panels of kc × MR, zero-padded. */
function packA(transA: i32, m: i32, k: i32, a: usize, i0: i32, mc: i32, p0: i32, kc: i32, ap: usize): void {
  const panels = (mc + MR - 1) / MR;
  let dst = ap;
  for (let ip = 0; ip < panels; ip++) {
    const r0 = i0 + ip * MR;
    const h = min(MR, i0 + mc - r0);
    if (transA != 0 && h == MR) {
      // op(A) = Aᵀ: the MR values of one column p are adjacent in A's row p.
      let src = a + (<usize>(p0 * m + r0) << 3);
      const ld = <usize>m << 3;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += ld;
        dst += MR * 8;
      }
    } else if (h == MR) {
      dst = transposeFour(a + (<usize>(r0 * k + p0) << 3), <usize>k << 3, kc, dst);
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          let v = 0.0;
          if (r < h) v = load<f64>(a + (<usize>(transA ? (p0 + p) * m + r0 + r : (r0 + r) * k + p0 + p) << 3));
          store<f64>(dst + (<usize>r << 3), v);
        }
        dst += MR * 8;
      }
    }
  }
}

/**
 * C tile (h × w, leading dimension ldc) += A panel · B panel over kc, where the A panel's element
 * (r, p) sits at ap + r·ars + p·aps and the B panel's (p, c) at bp + p·bps + 8c (packed panels:
 * ars = 8, aps = 32, bps = 32).
 */
// @ts-ignore: decorator
@inline function microKernel(kc: i32, ap: usize, ars: usize, aps: usize, bp: usize, bps: usize, c: usize, ldc: i32, h: i32, w: i32, tile: usize): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0), c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  const ars2 = ars * 2;
  const ars3 = ars * 3;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load64_splat(ap);
    c00 = f64x2.add(c00, f64x2.mul(a, b0));
    c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(ap + ars);
    c10 = f64x2.add(c10, f64x2.mul(a, b0));
    c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(ap + ars2);
    c20 = f64x2.add(c20, f64x2.mul(a, b0));
    c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(ap + ars3);
    c30 = f64x2.add(c30, f64x2.mul(a, b0));
    c31 = f64x2.add(c31, f64x2.mul(a, b1));
    ap += aps;
    bp += bps;
  }
  const ld = <usize>ldc << 3;
  if (h == MR && w == NR) {
    v128.store(c, f64x2.add(v128.load(c), c00));
    v128.store(c, f64x2.add(v128.load(c, 16), c01), 16);
    c += ld;
    v128.store(c, f64x2.add(v128.load(c), c10));
    v128.store(c, f64x2.add(v128.load(c, 16), c11), 16);
    c += ld;
    v128.store(c, f64x2.add(v128.load(c), c20));
    v128.store(c, f64x2.add(v128.load(c, 16), c21), 16);
    c += ld;
    v128.store(c, f64x2.add(v128.load(c), c30));
    v128.store(c, f64x2.add(v128.load(c, 16), c31), 16);
  } else {
    // Edge tile: park the accumulators and add only the part inside C.
    v128.store(tile, c00);
    v128.store(tile, c01, 16);
    v128.store(tile, c10, 32);
    v128.store(tile, c11, 48);
    v128.store(tile, c20, 64);
    v128.store(tile, c21, 80);
    v128.store(tile, c30, 96);
    v128.store(tile, c31, 112);
    for (let r = 0; r < h; r++) {
      for (let j = 0; j < w; j++) {
        const q = c + (<usize>(r * ldc + j) << 3);
        store<f64>(q, load<f64>(q) + load<f64>(tile + (<usize>(r * NR + j) << 3)));
      }
    }
  }
}

/**
 * C[i0:i1, :] += op(A)[i0:i1, :] · op(B) for C m × n row-major, op(A) m × k, op(B) given packed by
 * packB. `scratch` is this thread's private area of gemmScratchBytes().
 */
export function gemmRows(transA: i32, m: i32, n: i32, k: i32, a: usize, bp: usize, c: usize, i0: i32, i1: i32, scratch: usize): void {
  const panels = (n + NR - 1) / NR;
  const tile = scratch + (<usize>(MC * KC) << 3);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    for (let ib = i0; ib < i1; ib += MC) {
      const mc = min(MC, i1 - ib);
      packA(transA, m, k, a, ib, mc, p0, kc, scratch);
      for (let jp = 0; jp < panels; jp++) {
        const j0 = jp * NR;
        const w = min(NR, n - j0);
        const bpanel = bp + (<usize>((jp * k + p0) * NR) << 3);
        for (let ir = 0; ir < mc; ir += MR) {
          const h = min(MR, mc - ir);
          microKernel(kc, scratch + (<usize>(ir * kc) << 3), 8, MR * 8, bpanel, NR * 8, c + (<usize>((ib + ir) * n + j0) << 3), n, h, w, tile);
        }
      }
    }
  }
}

/**
 * C += op(A)·op(B) for C m × n row-major with m a multiple of 4, reading op(A) in place without
 * packing, and B too unless transposed (then n may be anything): for operands that fit in L1 cache,
 * packing costs more than it saves. The same operations in the same order as packB + gemmRows (per
 * KC block, acc = Σ a·b, then C += acc), so the same bits. `scratch` holds a 16-double edge tile,
 * then the packed Bᵀ when transB.
 */
export function gemmUnpacked(transA: i32, transB: i32, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, scratch: usize): void {
  if (transB) {
    const bp = scratch + MR * NR * 8;
    packB(1, k, n, b, bp);
    gemmUnpackedRows(transA, m, n, k, a, bp, NR * 8, <usize>k * NR * 8, c, 0, m, scratch);
  } else {
    gemmUnpackedRows(transA, m, n, k, a, b, <usize>n << 3, NR * 8, c, 0, m, scratch);
  }
}

/**
 * Rows [i0, i1) (multiples of 4, or i1 = m) of C += op(A)·op(B), op(A) read in place, op(B) as
 * column panels: panel jp starts at b + jp·panelStep and holds element (p, c) at + p·bps + 8c, so a
 * row-major B is bps = 8n, panelStep = 32 (n a multiple of 4) and a packB'd one bps = 32,
 * panelStep = 32k. `tile` is 16 doubles of scratch.
 */
export function gemmUnpackedRows(
  transA: i32, m: i32, n: i32, k: i32, a: usize, b: usize, bps: usize, panelStep: usize, c: usize, i0: i32, i1: i32, tile: usize,
): void {
  // op(A)'s element (i, p): A[i·k + p], or A[p·m + i] when transposed.
  const ars: usize = transA ? 8 : <usize>k << 3;
  const aps: usize = transA ? <usize>m << 3 : 8;
  const panels = (n + NR - 1) / NR;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    for (let r0 = i0; r0 < i1; r0 += MR) {
      const ap = a + <usize>r0 * ars + <usize>p0 * aps;
      for (let jp = 0; jp < panels; jp++) {
        const j0 = jp * NR;
        microKernel(kc, ap, ars, aps, b + <usize>jp * panelStep + <usize>p0 * bps, bps, c + (<usize>(r0 * n + j0) << 3), n, MR, min(NR, n - j0), tile);
      }
    }
  }
}
