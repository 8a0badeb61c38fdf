/**
 * θ −= lr·g over a model's flat parameter and gradient vectors in one WebAssembly SIMD pass
 * (asm/update.ts), or the same loop in TypeScript without the .wasm (identical bits): the plain SGD
 * step, which for small networks costs as much as a layer's elementwise work.
 *
 * @example
 * const theta = Float64Array.of(1, 2);
 * sgdUpdateInto(theta, Float64Array.of(10, 20), 0.1); // theta = [0, 0]
 */
import { regions, wasmKernels } from './wasm.js';

/** Below this length the copies into wasm memory cost more than SIMD saves. */
const WASM_MIN_LENGTH = 256;

/** θ[i] −= lr·g[i] for every i. */
export function sgdUpdateInto(theta: Float64Array, g: Float64Array, lr: number): void {
  const n = theta.length;
  if (g.length !== n) throw new RangeError(`sgdUpdateInto: gradient has ${g.length} values, parameters ${n}`);
  const kernels = wasmKernels;
  const at = kernels === null || n < WASM_MIN_LENGTH ? null : regions(kernels, [n * 8, n * 8]);
  if (kernels === null || at === null) {
    for (let i = 0; i < n; i++) theta[i] -= lr * g[i];
    return;
  }
  const [offTheta, offG] = at;
  const heap = kernels.heap();
  heap.set(theta, offTheta / 8);
  heap.set(g, offG / 8);
  kernels.exports.sgdUpdate(offTheta, offG, n, lr);
  theta.set(heap.subarray(offTheta / 8, offTheta / 8 + n));
}
