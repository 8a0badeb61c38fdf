/**
 * tanh over a whole Float64Array. `Math.tanh` costs ~20 ns a value in V8, the largest cost of a tanh
 * MLP's forward pass after the matrix products, so this runs Cephes' tanh (Moshier, Cephes Math
 * Library) two lanes at a time in WebAssembly SIMD (asm/tanh.ts), or, without the .wasm, the same
 * operations in the same order in TypeScript below — identical bits either way, within a few ulp of
 * Math.tanh.
 *
 * @example
 * const y = new Float64Array(2);
 * tanhInto(Float64Array.of(0, 1), y); // y ≈ [0, 0.7615941559557649]
 */
import { WORKSPACE_BASE, wasmKernels } from './wasm.js';

/** Below this length the copies into wasm memory cost more than SIMD saves. */
const WASM_MIN_LENGTH = 64;

// Cephes exp: e^t = 2^k·(1 + 2·P/(Q − P)) = 2^k·(Q + P)/(Q − P) after t −= k·ln2 (ln2 split in two).
const LOG2E = 1.4426950408889634;
const LN2_HI = 6.93145751953125e-1;
const LN2_LO = 1.42860682030941723212e-6;
const EP0 = 1.26177193074810590878e-4, EP1 = 3.02994407707441961300e-2, EP2 = 9.99999999999999999910e-1;
const EQ0 = 3.00198505138664455042e-6, EQ1 = 2.52448340349684104192e-3, EQ2 = 2.27265548208155028766e-1, EQ3 = 2.00000000000000000009e0;
// Cephes tanh for |x| ≤ 0.625: x + x·s·P(s)/Q(s), s = x².
const TP0 = -9.64399179425052238628e-1, TP1 = -9.92877231001918586564e1, TP2 = -1.61468768441708447952e3;
const TQ0 = 1.12811678491632931402e2, TQ1 = 2.23548839060100448583e3, TQ2 = 4.84406305325125486048e3;
/** 1.5·2^52: adding and subtracting it rounds a number of magnitude < 2^51 to an integer. */
const SHIFTER = 6755399441055744;
/** 2^k for the k ∈ [0, 58] that occur (|x| is clamped to 20). */
const POW2 = Float64Array.from({ length: 64 }, (_, k) => 2 ** k);

/** tanh of one value, the scalar twin of asm/tanh.ts (same operations, same order). */
export function tanhCephes(x: number): number {
  if (x === 0) return x; // keeps −0
  const ax = Math.abs(x);
  let num: number;
  let den: number;
  if (ax > 0.625) {
    // e^{2|x|} = 2^k·(Q + P)/(Q − P), and tanh = (e − 1)/(e + 1) without dividing twice.
    let t = (20 < ax ? 20 : ax) * 2;
    // Round to nearest by the 1.5·2^52 shifter, as the SIMD kernel does.
    const k = t * LOG2E + SHIFTER - SHIFTER;
    t = t - k * LN2_HI - k * LN2_LO;
    const xx = t * t;
    const px = t * ((EP0 * xx + EP1) * xx + EP2);
    const qx = ((EQ0 * xx + EQ1) * xx + EQ2) * xx + EQ3;
    const scaled = (qx + px) * POW2[k];
    const qm = qx - px;
    num = scaled - qm;
    den = scaled + qm;
  } else {
    // x + x·s·P(s)/Q(s) = x·(Q + s·P)/Q, s = x².
    const s = ax * ax;
    den = ((s + TQ0) * s + TQ1) * s + TQ2;
    num = ax * (den + s * ((TP0 * s + TP1) * s + TP2));
  }
  const r = num / den;
  return x < 0 ? -r : r;
}

/** out[i] = tanh(x[i]) for every i (out may be x). */
export function tanhInto(x: Float64Array, out: Float64Array): void {
  const n = x.length;
  if (out.length !== n) throw new RangeError(`tanhInto: output has ${out.length} values, input has ${n}`);
  const kernels = wasmKernels;
  if (kernels !== null && n >= WASM_MIN_LENGTH && kernels.workspace(n * 8)) {
    const heap = kernels.heap();
    const at = WORKSPACE_BASE / 8;
    heap.set(x, at);
    kernels.exports.tanhArray(WORKSPACE_BASE, WORKSPACE_BASE, n);
    out.set(heap.subarray(at, at + n));
    return;
  }
  for (let i = 0; i < n; i++) out[i] = tanhCephes(x[i]);
}
