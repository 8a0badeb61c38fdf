/**
 * The table of tanh(k/32), k = 0…640, that the tanh kernels (asm/tanh.ts and its TypeScript twin in
 * tanh.ts) interpolate from by the addition theorem; the loader writes it into wasm memory at
 * `TANH_TABLE`. Made once from Math.tanh (V8's fdlibm port, the same on every platform).
 */

/** Byte offset of the table in wasm memory; must match asm/tanh.ts. */
export const TANH_TABLE = 1024;

/**
 * tanh(k/32) for k = 0…640 (|x| is clamped to 20 = 640/32, where tanh rounds to 1), padded with 1s
 * to 1024 entries so that the kernel's masked index of a NaN still reads inside it.
 */
export const tanhTable: Float64Array = Float64Array.from({ length: 1024 }, (_, k) => Math.tanh(Math.min(k, 640) / 32));
