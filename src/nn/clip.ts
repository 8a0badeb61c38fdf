/**
 * Gradient-norm clipping on flat gradient vectors (Pascanu et al., ICML 2013): scale the whole
 * vector down so its L2 norm is at most `maxNorm`.
 *
 * @example
 * const before = clipGradNorm(model.parameters.grads, 1.0); // norm before clipping
 */

/** The L2 norm of a flat vector. */
export function l2Norm(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s);
}

/**
 * Scales `grads` in place so that its L2 norm is at most `maxNorm`; returns the norm before clipping.
 * A non-finite norm is left alone and returned, for the caller to reject the step.
 */
export function clipGradNorm(grads: Float64Array, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new RangeError(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  const norm = l2Norm(grads);
  if (norm > maxNorm && Number.isFinite(norm)) {
    const scale = maxNorm / norm;
    for (let i = 0; i < grads.length; i++) grads[i] *= scale;
  }
  return norm;
}
