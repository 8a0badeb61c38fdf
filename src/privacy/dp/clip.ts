/**
 * L2 clipping of a whole update: the step that bounds one plant's (client-level DP) or one record's
 * (sample-level DP) influence, so noise proportional to the bound hides it (McMahan et al., ICLR 2018;
 * Abadi et al., CCS 2016). Built on the core's `l2Norm`.
 *
 * @example
 * const { clipped, norm, wasClipped } = clipToNorm(update, 1.0);
 */
import { l2Norm } from '../../nn/clip.js';

export function clipToNorm(values: Float64Array, clipNorm: number): { clipped: Float64Array; norm: number; wasClipped: boolean } {
  if (!(clipNorm > 0) || !Number.isFinite(clipNorm)) throw new RangeError(`clipToNorm: clipNorm must be a positive finite number, got ${clipNorm}`);
  const norm = l2Norm(values);
  if (!Number.isFinite(norm)) throw new RangeError(`clipToNorm: the vector has a non-finite norm (${norm})`);
  if (norm <= clipNorm) return { clipped: values.slice(), norm, wasClipped: false };
  const scale = clipNorm / norm;
  return { clipped: values.map((v) => v * scale), norm, wasClipped: true };
}
