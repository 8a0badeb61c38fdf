/**
 * tanh over a whole Float64Array. `Math.tanh` costs ~20 ns a value in V8, the largest cost of a tanh
 * MLP's forward pass after the matrix products, so this interpolates a table of tanh(k/32) by the
 * addition theorem (see asm/tanh.ts) two lanes at a time in WebAssembly SIMD, or, without the .wasm,
 * with the same operations in the same order in TypeScript below — identical bits either way,
 * within ~2 ulp of the exact value (as Math.tanh).
 *
 * @example
 * const y = new Float64Array(2);
 * tanhInto(Float64Array.of(0, 1), y); // y ≈ [0, 0.7615941559557649]
 */
import { tanhTable } from './tanh-table.js';
import { WORKSPACE_BASE, wasmKernels } from './wasm.js';

/** Below this length the copies into wasm memory cost more than SIMD saves. */
const WASM_MIN_LENGTH = 64;

// Taylor coefficients of tanh: −1/3, 2/15, −17/315, 62/2835 (as in asm/tanh.ts).
const C3 = -0.3333333333333333;
const C5 = 0.13333333333333333;
const C7 = -0.05396825396825397;
const C9 = 0.021869488536155203;

/** tanh of one value, the scalar twin of asm/tanh.ts (same operations, same order). */
export function tanhScalar(x: number): number {
  if (x === 0) return x; // keeps −0
  const ax = Math.abs(x);
  // As the kernel's pmin: NaN stays NaN (and then so is the result).
  const c = 20 < ax ? 20 : ax;
  const kf = Math.floor(c * 32);
  const b = c - kf * 0.03125;
  const s = b * b;
  const tb = b + b * s * (((C9 * s + C7) * s + C5) * s + C3);
  const ta = tanhTable[kf];
  const r = ta + (tb * ((1 - ta) * (1 + ta))) / (1 + ta * tb);
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
  for (let i = 0; i < n; i++) out[i] = tanhScalar(x[i]);
}
