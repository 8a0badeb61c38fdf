/**
 * Fixed-point quantization of real-valued updates into Z_(2^32), the ring SecAgg masks in.
 *
 * Why 2^32 words: masking is then `(a + b) >>> 0` on a Uint32Array — no BigInt, one machine add per
 * coordinate — and a masked update is 4 bytes per parameter, half a float64. The cost is the bit
 * budget: the SUM of all plants' integers (plus any distributed-DP noise) must stay inside the signed
 * range (−2^31, 2^31), or it wraps and the decoded sum is garbage. `FixedPoint` checks this when it
 * is built and refuses unsafe settings with SECAGG_UNSAFE_PARAMETERS.
 *
 * Values are clipped to [−clipRange, clipRange], scaled by `scale` and rounded to the nearest integer
 * (or stochastically, unbiased), stored in two's complement.
 *
 * @example
 * const fp = new FixedPoint({ clipRange: 1, plants: 10 });
 * const words = fp.encode(new Float64Array([0.25, -0.5]));
 * fp.decode(words) // ≈ [0.25, -0.5] within fp.sumErrorBound
 */
import { CrucibleError } from '../../errors.js';
import { regions, wasmKernels } from '../../tensor/kernels/wasm.js';

/** 1.5·2^52: adding and subtracting it rounds a float64 of magnitude < 2^51 to the nearest integer. */
const ROUNDING = 6755399441055744;

/** Largest magnitude a sum may reach in signed 32-bit words. */
export const SIGNED_WORD_LIMIT = 2 ** 31 - 1;

/** Values per call of the SIMD encoder: 64 KiB of input, so input and words stay in cache. */
const WASM_CHUNK = 8192;
/** Below this many values the plain loop is as fast as copying into wasm memory and back. */
const WASM_MIN = 1024;

/**
 * Round-to-nearest encoding with the SIMD kernel (asm/fixed.ts), chunk by chunk through wasm memory;
 * false (nothing written) where the kernels are not built or hold no room, or a value is not finite.
 */
function encodeWithKernel(values: Float64Array, target: Int32Array, weight: number, clip: number, scale: number): boolean {
  if (wasmKernels === null || values.length < WASM_MIN) return false;
  const at = regions(wasmKernels, [8 * WASM_CHUNK, 4 * WASM_CHUNK]);
  if (at === null) return false;
  const heap = wasmKernels.heap();
  const words = new Int32Array(heap.buffer, at[1], WASM_CHUNK);
  const k = wasmKernels.exports;
  for (let i0 = 0; i0 < values.length; i0 += WASM_CHUNK) {
    const n = Math.min(WASM_CHUNK, values.length - i0);
    heap.set(values.subarray(i0, i0 + n), at[0] / 8);
    if (k.encodeFixed(at[0], at[1], n, weight, clip, scale) !== 0) return false;
    target.set(n === WASM_CHUNK ? words : words.subarray(0, n), i0);
  }
  return true;
}

/**
 * The kernel's twin in TypeScript (tests compare the two), used without the kernels and to name a
 * non-finite value: round to nearest (ties to even) by the float64 trick x + 1.5·2^52 − 1.5·2^52,
 * exact for |x| < 2^51, free of branches and of Math.round (which V8 does not inline). Returns NaN
 * if any weighted value is not finite, else 0.
 */
export function encodeNearest(values: Float64Array, target: Int32Array, weight: number, clip: number, scale: number): number {
  let bad = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] * weight;
    bad += v - v;
    target[i] = (Math.min(clip, Math.max(-clip, v)) * scale + ROUNDING) - ROUNDING;
  }
  return bad;
}

export interface FixedPointOptions {
  /** Largest |value| per coordinate a plant may contribute; larger values are clipped. */
  clipRange: number;
  /** Number of plants whose words are summed. */
  plants: number;
  /** Integer levels per unit. Default: the largest power of two the bit budget allows. */
  scale?: number;
  /** Integer magnitude per coordinate of the sum reserved for distributed-DP noise. Default 0. */
  noiseMargin?: number;
}

export class FixedPoint {
  readonly clipRange: number;
  readonly plants: number;
  readonly scale: number;
  readonly noiseMargin: number;

  constructor(options: FixedPointOptions) {
    const { clipRange, plants } = options;
    if (!(clipRange > 0) || !Number.isFinite(clipRange)) throw new RangeError(`FixedPoint: clipRange must be a positive number, got ${clipRange}`);
    if (!Number.isInteger(plants) || plants < 1) throw new RangeError(`FixedPoint: plants must be a positive integer, got ${plants}`);
    const noiseMargin = options.noiseMargin ?? 0;
    if (!(noiseMargin >= 0)) throw new RangeError(`FixedPoint: noiseMargin must be ≥ 0, got ${noiseMargin}`);
    const room = (SIGNED_WORD_LIMIT - noiseMargin) / plants;
    const scale = options.scale ?? 2 ** Math.floor(Math.log2(room / clipRange));
    const levels = Math.round(clipRange * scale);
    if (!(scale > 0) || plants * levels + noiseMargin > SIGNED_WORD_LIMIT) {
      throw new CrucibleError(
        'SECAGG_UNSAFE_PARAMETERS',
        `secure aggregation bit budget exceeded: ${plants} plants × ${levels} levels (clipRange ${clipRange} × scale ${scale})` +
          ` + noise margin ${Math.ceil(noiseMargin)} > 2^31 − 1; lower the scale or the clip range, or aggregate fewer plants`,
        { plants, clipRange, scale, noiseMargin },
      );
    }
    this.clipRange = clipRange;
    this.plants = plants;
    this.scale = scale;
    this.noiseMargin = noiseMargin;
  }

  /** Largest |error| per coordinate of a decoded sum of `plants` round-to-nearest encodings. */
  get sumErrorBound(): number {
    return (this.plants * 0.5) / this.scale;
  }

  /**
   * Clips, scales and rounds `values` into words. With `uniform` (a source of U[0,1)), rounds
   * stochastically so the expected word equals value·scale (unbiased, as distributed DP needs).
   */
  encode(values: Float64Array, uniform?: () => number): Uint32Array {
    const out = new Uint32Array(values.length);
    this.encodeInto(values, out, { uniform });
    return out;
  }

  /**
   * Encodes `weight`·values into `out` from `offset` on (the weight applied before clipping), so a
   * plant's arrays go straight into the one vector it masks, with no intermediate copies.
   */
  encodeInto(values: Float64Array, out: Uint32Array, options: { offset?: number; weight?: number; uniform?: () => number } = {}): void {
    const { offset = 0, weight = 1, uniform } = options;
    if (offset + values.length > out.length) throw new RangeError(`FixedPoint.encodeInto: ${values.length} values at offset ${offset} overflow ${out.length} words`);
    const target = new Int32Array(out.buffer, out.byteOffset + 4 * offset, values.length);
    const c = this.clipRange;
    const scale = this.scale;
    let bad = 0;
    if (uniform === undefined) {
      if (encodeWithKernel(values, target, weight, c, scale)) return;
      bad = encodeNearest(values, target, weight, c, scale);
    } else {
      for (let i = 0; i < values.length; i++) {
        const v = values[i] * weight;
        bad += v - v;
        const scaled = Math.min(c, Math.max(-c, v)) * scale;
        const floor = Math.floor(scaled);
        target[i] = uniform() < scaled - floor ? floor + 1 : floor; // two's complement
      }
    }
    if (bad !== 0) {
      const i = values.findIndex((v) => !Number.isFinite(v * weight));
      throw new RangeError(`FixedPoint.encode: value at index ${i} is ${values[i] * weight}; updates must be finite`);
    }
  }

  /** Words (e.g. an unmasked sum) back to reals: signed interpretation divided by the scale. */
  decode(words: Uint32Array): Float64Array {
    const out = new Float64Array(words.length);
    for (let i = 0; i < words.length; i++) out[i] = (words[i] | 0) / this.scale;
    return out;
  }
}

/** Adds signed integers (e.g. integer DP noise) into words, mod 2^32, in place. */
export function addSignedIntegers(words: Uint32Array, integers: Int32Array | Float64Array): void {
  for (let i = 0; i < words.length; i++) words[i] = (words[i] + integers[i]) >>> 0;
}
