/**
 * The table of tanh(k/64), k = 0…1280, that the tanh kernels (asm/tanh.ts and its TypeScript twin in
 * tanh.ts) interpolate from by the addition theorem; the loader writes it into wasm memory at
 * `TANH_TABLE`. Made once from Math.tanh (V8's fdlibm port, the same on every platform).
 */

/** Byte offset of the table in wasm memory; must match asm/tanh.ts. */
export const TANH_TABLE = 1024;

/**
 * tanh(k/64) for k = 0…1280 (|x| is clamped to 20 = 1280/64, where tanh rounds to 1), padded with 1s
 * to 2048 entries so that the kernel's masked index of a NaN still reads inside it.
 */
export const tanhTable: Float64Array = Float64Array.from({ length: 2048 }, (_, k) => Math.tanh(Math.min(k, 1280) / 64));
