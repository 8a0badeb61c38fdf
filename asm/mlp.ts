/**
 * One MLP's loss gradient (mean squared error) as two row-parallel phases, for WebAssembly SIMD,
 * so that two threads can share a whole training step with two joins instead of one per product:
 * - `mlpRows(desc, i0, i1)`: rows [i0, i1) of the forward pass through every layer, the loss
 *   gradient, and the backward pass's output gradients gz and input gradients ∂x — all of them
 *   row by row independent;
 * - `mlpWeights(desc, c)`: chunk c of what sums over the rows: a range of rows of one layer's
 *   ∂W = xᵀ·gz and, with the first range, the layer's bias gradient ∂b (column sums of gz, rows in
 *   order, read from the packed gz that ∂W has just read).
 * Every value is made by the same kernels in the same order as the tape's dense ops make it
 * (src/tensor/kernels/dense.ts), so the bits are the tape's whatever the split.
 *
 * The descriptor at `desc` is f64 slots (integers and byte offsets held exactly):
 *   0 layers L, 1 rows m, 2 target t, 3 the loss gradient's scale (1/(m·outputs)), 4 chunks C,
 *   then L layer records of LAYER slots, then C chunk records of CHUNK slots (see below).
 * Each thread reads W and Wᵀ from panels of its own, packed by `mlpPack` from the raw W before its
 * first chunk of `mlpRows`: panels the other core has read are slow to write (on this machine the
 * main thread's packing took 9–12 µs a step instead of 2 when the helper read the same panels).
 */
import { gemmRows, gemmUnpackedRows, packB } from './gemm';
import { activate, fillRows, outputGradient } from './dense';

const HEAD: usize = 5;
/** Layer record: inputs, outputs, act, x, y, g, wp, wtp, b, gzp, dw, db, w (offsets in bytes). */
const LAYER: usize = 13;
/** Chunk record: layer, i0, i1 (rows of ∂W; the chunk with i0 = 0 also sums the bias gradient). */
const CHUNK: usize = 3;
const NR: i32 = 4;

// @ts-ignore: decorator
@inline function slot(desc: usize, i: usize): i32 {
  return <i32>load<f64>(desc + (i << 3));
}

// @ts-ignore: decorator
@inline function field(desc: usize, l: i32, f: usize): i32 {
  return slot(desc, HEAD + <usize>l * LAYER + f);
}

/**
 * Rows [p0, p1) of a row-major k × n matrix b into the panels packB(0, k, n, b, bp) makes: panel jp
 * holds element (p, c) at bp + (jp·k + p)·32 + 8c, zero-padded past n.
 */
export function packRowsB(k: i32, n: i32, b: usize, bp: usize, p0: i32, p1: i32): void {
  const panels = (n + NR - 1) / NR;
  for (let jp = 0; jp < panels; jp++) {
    const j0 = jp * NR;
    const w = min(NR, n - j0);
    let dst = bp + (<usize>(jp * k + p0) << 5);
    let src = b + (<usize>(p0 * n + j0) << 3);
    const ld = <usize>n << 3;
    for (let p = p0; p < p1; p++) {
      if (w == NR) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      } else {
        for (let c = 0; c < NR; c++) store<f64>(dst + (<usize>c << 3), c < w ? load<f64>(src + (<usize>c << 3)) : 0.0);
      }
      src += ld;
      dst += 32;
    }
  }
}

/** Packs every layer's raw W into the descriptor's W panels (wp) and, above the first, Wᵀ (wtp). */
export function mlpPack(desc: usize): void {
  const layers = slot(desc, 0);
  for (let l = 0; l < layers; l++) {
    const inputs = field(desc, l, 0);
    const outputs = field(desc, l, 1);
    const w = <usize>field(desc, l, 12);
    packB(0, inputs, outputs, w, <usize>field(desc, l, 6));
    if (l > 0) packB(1, outputs, inputs, w, <usize>field(desc, l, 7));
  }
}

/** Rows [i0, i1) (multiples of 4, or i1 = m) of the forward and backward passes; `tile` is 16 doubles. */
export function mlpRows(desc: usize, i0: i32, i1: i32, tile: usize): void {
  const layers = slot(desc, 0);
  const m = slot(desc, 1);
  for (let l = 0; l < layers; l++) {
    const inputs = field(desc, l, 0);
    const outputs = field(desc, l, 1);
    const y = <usize>field(desc, l, 4);
    const row = <usize>outputs << 3;
    fillRows(y + <usize>i0 * row, <usize>field(desc, l, 8), i1 - i0, outputs);
    gemmUnpackedRows(0, m, outputs, inputs, <usize>field(desc, l, 3), <usize>field(desc, l, 6), 32, <usize>inputs << 5, y, i0, i1, tile);
    activate(field(desc, l, 2), y + <usize>i0 * row, (i1 - i0) * outputs);
  }
  // ∂L/∂ŷ = 0 + 2·(ŷ − t)·scale, as the squaredError op's rule adds it into a zeroed gradient.
  const last = layers - 1;
  const outputs = field(desc, last, 1);
  const scale = load<f64>(desc + 24);
  const yhat = <usize>field(desc, last, 4);
  const t = <usize>slot(desc, 2);
  const g = <usize>field(desc, last, 5);
  for (let i = i0 * outputs; i < i1 * outputs; i++) {
    const off = <usize>i << 3;
    store<f64>(g + off, 0 + 2 * (load<f64>(yhat + off) - load<f64>(t + off)) * scale);
  }
  for (let l = last; l >= 0; l--) {
    const inputs = field(desc, l, 0);
    const outputs = field(desc, l, 1);
    const row = <usize>outputs << 3;
    const gz = <usize>field(desc, l, 5);
    outputGradient(field(desc, l, 2), gz + <usize>i0 * row, <usize>field(desc, l, 4) + <usize>i0 * row, i1 - i0, outputs, 0);
    packRowsB(m, outputs, gz, <usize>field(desc, l, 9), i0, i1);
    if (l == 0) break;
    // ∂x = 0 + gz·Wᵀ into the layer below's output gradient (a fresh one: the tape zero-fills it).
    const gx = <usize>field(desc, l - 1, 5);
    const inRow = <usize>inputs << 3;
    memory.fill(gx + <usize>i0 * inRow, 0, <usize>(i1 - i0) * inRow);
    gemmUnpackedRows(0, m, inputs, outputs, gz, <usize>field(desc, l, 7), 32, <usize>outputs << 5, gx, i0, i1, tile);
  }
}

/** Chunk c of the sums over rows (see the module comment); `scratch` is gemmScratchBytes() bytes. */
export function mlpWeights(desc: usize, c: i32, scratch: usize): void {
  const layers = slot(desc, 0);
  const m = slot(desc, 1);
  const at = HEAD + <usize>layers * LAYER + <usize>c * CHUNK;
  const l = slot(desc, at);
  const i0 = slot(desc, at + 1);
  const inputs = field(desc, l, 0);
  const outputs = field(desc, l, 1);
  const gzp = <usize>field(desc, l, 9);
  gemmRows(1, inputs, outputs, m, <usize>field(desc, l, 3), gzp, <usize>field(desc, l, 10), i0, slot(desc, at + 2), scratch);
  if (i0 == 0) panelSums(gzp, m, outputs, <usize>field(desc, l, 11));
}

/**
 * sums[j] += Σ_i gz[i, j] over rows in order (outputGradient's bias sums, the same adds), read from
 * gz's panels (packRowsB), which the ∂W chunks read too: the row-major gz is then never read by the
 * other thread, and its rows stay in the cache of the core that wrote them.
 */
function panelSums(gzp: usize, m: i32, n: i32, sums: usize): void {
  const panels = (n + NR - 1) / NR;
  for (let jp = 0; jp < panels; jp++) {
    const j0 = jp * NR;
    const w = min(NR, n - j0);
    const s = sums + (<usize>j0 << 3);
    let src = gzp + (<usize>(jp * m) << 5);
    if (w == NR) {
      let s01 = v128.load(s);
      let s23 = v128.load(s, 16);
      for (let i = 0; i < m; i++) {
        s01 = f64x2.add(s01, v128.load(src));
        s23 = f64x2.add(s23, v128.load(src, 16));
        src += 32;
      }
      v128.store(s, s01);
      v128.store(s, s23, 16);
    } else {
      for (let c = 0; c < w; c++) {
        const at = s + (<usize>c << 3);
        let sum = load<f64>(at);
        for (let i = 0; i < m; i++) sum += load<f64>(src + (<usize>i << 5) + (<usize>c << 3));
        store<f64>(at, sum);
      }
    }
  }
}

/** Σ (ŷ − t)² over n values in order, as the squaredError op sums it. */
export function squaredErrorSum(yhat: usize, t: usize, n: i32): f64 {
  let s = 0.0;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 3;
    const d = load<f64>(yhat + off) - load<f64>(t + off);
    s += d * d;
  }
  return s;
}
