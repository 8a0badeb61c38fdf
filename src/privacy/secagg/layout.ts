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

/** A plant's arrays (weighted) and scalars as one vector of words, encoded in place. */
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
    if (c.name === EXAMPLES_ENTRY) fixedPoints[i].encodeInto(new Float64Array([scalars.numExamples]), out, { offset });
    else if (c.name === WEIGHT_ENTRY) fixedPoints[i].encodeInto(new Float64Array([scalars.weight]), out, { offset });
    else {
      const a = arrays[c.name];
      if (a === undefined || a.length !== c.length) {
        throw new CrucibleError('UPDATE_REJECTED', `plant ${plant}: secure aggregation expects '${c.name}' with ${c.length} values, the reply has ${a?.length ?? 'none'}`, { plant });
      }
      fixedPoints[i].encodeInto(a, out, { offset, weight: scalars.weight });
    }
    offset += c.length;
  });
  return out;
}

/**
 * How a round's codecs follow from a plant's layout, fixed by the coordinator before any plant has
 * trained: each plant applies it to its own arrays, and the coordinator to the layout the plants
 * agree on, so both sides arrive at the same codecs without an extra exchange.
 */
export interface CodecPolicy {
  /** Largest |value| per coordinate (after weighting), one for all arrays or per array name. */
  readonly clipRange: number | Readonly<Record<string, number>>;
  /** Fixed-point scale per array name; default the largest power of two the bit budget allows. */
  readonly scale?: Readonly<Record<string, number>>;
  /** Largest numExamples one plant may report. */
  readonly maxExamples: number;
  /** McMahan et al. 2018 capped weights w = min(1, numExamples / exampleCap), summed as `__weight`. */
  readonly exampleCap?: number;
}

/** The codecs of `layout` under `policy` for a cohort of `plants` (RangeError naming an array without a clip range). */
export function chooseCodecs(layout: readonly LayoutEntry[], policy: CodecPolicy, plants: number): CodecEntry[] {
  const clipOf = (name: string): number => {
    const c = typeof policy.clipRange === 'number' ? policy.clipRange : policy.clipRange[name];
    if (c === undefined) throw new RangeError(`secure aggregation: no clipRange for array '${name}' (have ${Object.keys(policy.clipRange).join(', ')})`);
    return c;
  };
  const entry = (name: string, length: number, clipRange: number, scale?: number): CodecEntry => ({
    name, length, clipRange, scale: scale ?? new FixedPoint({ clipRange, plants }).scale,
  });
  const codecs = layout.map((e) => entry(e.name, e.length, clipOf(e.name), policy.scale?.[e.name]));
  codecs.push(entry(EXAMPLES_ENTRY, 1, policy.maxExamples, 1));
  if (policy.exampleCap !== undefined) codecs.push(entry(WEIGHT_ENTRY, 1, 1));
  return codecs;
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
