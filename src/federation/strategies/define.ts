/**
 * Shared pieces of strategies: `defineStrategy` fills in the usual defaults (no state, nothing added
 * to the fit config, plain evaluation, pooled metrics), and the vector arithmetic on updates.
 *
 * @example
 * const mine = defineStrategy({ name: 'mine', aggregateFit: ({ parameters, results }) => ({ parameters: applyUpdate(parameters, weightedMeanUpdate(results)), state: emptyState }) });
 */
import type { FitReply } from '../messages.js';
import { emptyState, pooledEvaluation, type Strategy } from '../strategy.js';

/** A strategy from its name, `aggregateFit`, and whichever other parts differ from the defaults. */
export function defineStrategy(parts: Pick<Strategy, 'name' | 'aggregateFit'> & Partial<Strategy>): Strategy {
  return {
    initialState: () => emptyState,
    configureFit: () => ({}),
    configureEvaluate: () => ({}),
    aggregateEvaluate: pooledEvaluation,
    ...parts,
  };
}

/** The update of a validated fit reply. */
export function updateOf(r: FitReply): Float64Array {
  return r.arrays.update;
}

/** Σ nᵢΔᵢ / Σ nᵢ: the sample-weighted mean of the updates (McMahan et al., AISTATS 2017). */
export function weightedMeanUpdate(results: readonly FitReply[]): Float64Array {
  if (results.length === 0) throw new RangeError('weightedMeanUpdate: no fit results to aggregate');
  const out = new Float64Array(updateOf(results[0]).length);
  let total = 0;
  for (const r of results) total += r.numExamples;
  for (const r of results) {
    const w = r.numExamples / total;
    const u = updateOf(r);
    for (let i = 0; i < out.length; i++) out[i] += w * u[i];
  }
  return out;
}

/** The plain mean of vectors. */
export function meanOf(vectors: readonly Float64Array[]): Float64Array {
  if (vectors.length === 0) throw new RangeError('meanOf: no vectors');
  const out = new Float64Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < out.length; i++) out[i] += v[i];
  for (let i = 0; i < out.length; i++) out[i] /= vectors.length;
  return out;
}

/** parameters + scale·update, as a new vector. */
export function applyUpdate(parameters: Float64Array, update: Float64Array, scale = 1): Float64Array {
  const out = new Float64Array(parameters.length);
  for (let i = 0; i < out.length; i++) out[i] = parameters[i] + scale * update[i];
  return out;
}
