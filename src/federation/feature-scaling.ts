/**
 * Federated feature scaling: the global mean and standard deviation of every input feature and
 * target, computed from per-plant sums (Σx, Σx², n) added up by a `Summation` — with secure
 * aggregation, the coordinator learns only the totals, never one plant's statistics. The scaling
 * then travels with every fit and evaluate task; plants standardise locally.
 *
 * @example
 * const { scaling } = await federatedScaling(grid, plants, { runId: 'run-1', timeoutMs: 10_000 });
 * // scaling.featureMean, scaling.featureStd, scaling.targetMean, scaling.targetStd
 */
import { CrucibleError } from '../errors.js';
import type { Grid } from './grid.js';
import type { StatisticsTask } from './messages.js';
import { plainSummation, type Summation } from './summation.js';

/** Global standardisation (what fit and evaluate tasks carry as ScalingArrays). */
export type FeatureScaling = {
  readonly featureMean: Float64Array;
  readonly featureStd: Float64Array;
  readonly targetMean: Float64Array;
  readonly targetStd: Float64Array;
};

export interface FederatedScalingOptions {
  readonly runId: string;
  readonly timeoutMs: number;
  /** Default `plainSummation`; pass secure aggregation's to hide per-plant sums. */
  readonly summation?: Summation;
  /** Fewest plants whose sums must be in the total. Default 1. */
  readonly minPlants?: number;
  readonly signal?: AbortSignal;
}

/** Asks the plants for their sums and returns the global scaling. Throws QUORUM_NOT_REACHED if too few answer. */
export async function federatedScaling(
  grid: Grid,
  plantIds: readonly string[],
  options: FederatedScalingOptions,
): Promise<{ scaling: FeatureScaling; contributors: readonly string[]; examples: number }> {
  const task: StatisticsTask = { kind: 'statistics', runId: options.runId, round: 0, config: {}, arrays: {} };
  const summation = options.summation ?? plainSummation;
  const out = await summation.sum(grid, plantIds, task, { timeoutMs: options.timeoutMs, signal: options.signal });
  const minPlants = options.minPlants ?? 1;
  if (out.contributors.length < minPlants || out.count === 0) {
    throw new CrucibleError('QUORUM_NOT_REACHED', `feature scaling: ${out.contributors.length} of ${minPlants} required plants sent statistics within ${options.timeoutMs} ms`, {
      round: 0,
      failures: out.failures.map((f) => ({ plantId: f.plantId, code: f.failure.code })),
    });
  }
  const { featureSum, featureSumSq, targetSum, targetSumSq } = out.sums;
  if (featureSum === undefined || featureSumSq === undefined || targetSum === undefined || targetSumSq === undefined) {
    throw new CrucibleError('MESSAGE_MALFORMED', 'feature scaling: the summed statistics lack featureSum, featureSumSq, targetSum or targetSumSq');
  }
  const [featureMean, featureStd] = meanAndStd(featureSum, featureSumSq, out.count);
  const [targetMean, targetStd] = meanAndStd(targetSum, targetSumSq, out.count);
  return { scaling: { featureMean, featureStd, targetMean, targetStd }, contributors: out.contributors, examples: out.count };
}

/** Mean and (population) standard deviation from Σx, Σx² and n; a constant column gets std 1. */
export function meanAndStd(sum: Float64Array, sumSq: Float64Array, count: number): [Float64Array, Float64Array] {
  const mean = new Float64Array(sum.length);
  const std = new Float64Array(sum.length);
  for (let j = 0; j < sum.length; j++) {
    mean[j] = sum[j] / count;
    const variance = Math.max(0, sumSq[j] / count - mean[j] * mean[j]);
    const s = Math.sqrt(variance);
    // Below ~1e-7 relative, the variance is rounding noise of Σx² − n·mean²: treat as constant.
    std[j] = s > 1e-7 * (Math.abs(mean[j]) + 1e-300) && s > 0 ? s : 1;
  }
  return [mean, std];
}
