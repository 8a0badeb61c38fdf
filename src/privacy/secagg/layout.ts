/**
 * How a plant's reply becomes ONE vector of words for SecAgg, and the sum back into named arrays:
 * the reply's arrays in name order, each with its own fixed-point codec, then two scalars — the
 * plant's example count and its aggregation weight — so the coordinator learns Σ numExamples and
 * Σ weight, never one plant's.
 *
 * Weighting follows McMahan et al. (ICLR 2018): w = min(1, numExamples / exampleCap), and the plant
 * sends w·array, so Σ w·array / Σ w is the example-weighted mean with each plant's influence capped.
 * Without `exampleCap` the arrays are summed as they are (e.g. feature statistics).
 *
 * @example
 * const layout = replyLayout(reply.arrays); // [{ name: 'update', length: 1000 }]
 */
import { CrucibleError } from '../../errors.js';
import { FixedPoint } from './fixedPoint.js';

/** Reserved names of the two summed scalars. */
export const EXAMPLES_ENTRY = '__numExamples';
export const WEIGHT_ENTRY = '__weight';

export interface LayoutEntry {
  readonly name: string;
  readonly length: number;
}

/** A layout entry with the codec the coordinator chose for it. */
export interface CodecEntry extends LayoutEntry {
  readonly clipRange: number;
  readonly scale: number;
}

/** The vectors of a reply, sorted by name. */
export function replyLayout(arrays: Readonly<Record<string, Float64Array | undefined>>): LayoutEntry[] {
  return Object.entries(arrays)
    .filter((e): e is [string, Float64Array] => e[1] !== undefined)
    .map(([name, v]) => ({ name, length: v.length }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Total words of a codec layout. */
export function layoutLength(codecs: readonly CodecEntry[]): number {
  return codecs.reduce((n, c) => n + c.length, 0);
}

/** Builds (and thereby bit-budget-checks) the fixed-point codec of each entry for `plants` plants. */
export function codecsFor(codecs: readonly CodecEntry[], plants: number): FixedPoint[] {
  return codecs.map((c) => new FixedPoint({ clipRange: c.clipRange, plants, scale: c.scale }));
}

/** A plant's arrays (weighted) and scalars as one vector of words. */
export function encodeReply(
  codecs: readonly CodecEntry[],
  fixedPoints: readonly FixedPoint[],
  arrays: Readonly<Record<string, Float64Array | undefined>>,
  scalars: { numExamples: number; weight: number },
  plant: string,
): Uint32Array {
  const out = new Uint32Array(layoutLength(codecs));
  let offset = 0;
  codecs.forEach((c, i) => {
    let values: Float64Array;
    if (c.name === EXAMPLES_ENTRY) values = new Float64Array([scalars.numExamples]);
    else if (c.name === WEIGHT_ENTRY) values = new Float64Array([scalars.weight]);
    else {
      const a = arrays[c.name];
      if (a === undefined || a.length !== c.length) {
        throw new CrucibleError('UPDATE_REJECTED', `plant ${plant}: secure aggregation expects '${c.name}' with ${c.length} values, the reply has ${a?.length ?? 'none'}`, { plant });
      }
      values = scalars.weight === 1 ? a : a.map((v) => v * scalars.weight);
    }
    out.set(fixedPoints[i].encode(values), offset);
    offset += c.length;
  });
  return out;
}

/** The unmasked sum back into named arrays (scalars included under their reserved names). */
export function decodeSum(codecs: readonly CodecEntry[], fixedPoints: readonly FixedPoint[], sum: Uint32Array): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  let offset = 0;
  codecs.forEach((c, i) => {
    out[c.name] = fixedPoints[i].decode(sum.subarray(offset, offset + c.length));
    offset += c.length;
  });
  return out;
}
