/**
 * The `secureAggregation` section of `federation.yaml` turned into the round loop's two seams:
 * `collectFit` (fit updates summed by SecAgg(+), `secureFitCollector`) and `summation` (the feature
 * statistics of federated scaling, `secureSummation`). A threshold given as a fraction is resolved
 * each round against the neighbourhood size of that round's cohort, so it keeps its meaning when
 * the number of plants changes.
 *
 * @example
 * runFederation(grid, fedAvg(), { ...options, ...secureAggregationCoordinator(config.secureAggregation) });
 */
import type { FitCollector } from '../federation/run.js';
import type { Summation } from '../federation/summation.js';
import { secureFitCollector } from '../privacy/secagg/fitCollector.js';
import { defaultDegree } from '../privacy/secagg/graph.js';
import { type SecureSummationOptions, secureSummation } from '../privacy/secagg/secureSummation.js';
import type { SecureAggregationConfig } from './config.js';

/** SecAgg settings for a cohort of `plants`: neighbours (SecAgg+ only) and the threshold as a count. */
export function secureAggregationSettings(config: SecureAggregationConfig, plants: number): Pick<SecureSummationOptions, 'variant' | 'degree' | 'threshold' | 'minimumPlants'> {
  // More neighbours than other plants would be an invalid graph; the complete graph is the most a cohort allows.
  const degree = config.variant === 'secagg' ? plants - 1 : Math.min(plants - 1, config.neighbours ?? defaultDegree(plants));
  const holders = degree + 1;
  const threshold = config.threshold === undefined ? undefined : config.threshold < 1 ? Math.ceil(config.threshold * holders) : config.threshold;
  return { variant: config.variant, degree: config.variant === 'secagg' ? undefined : degree, threshold, minimumPlants: config.minimumPlants };
}

/** `collectFit` and `summation` for `runFederation` from an enabled `secureAggregation` section. */
export function secureAggregationCoordinator(config: SecureAggregationConfig): { collectFit: FitCollector; summation: Summation } {
  return {
    collectFit: (input) =>
      secureFitCollector({ clipRange: config.updateClipRange, exampleCap: config.exampleCap, ...secureAggregationSettings(config, input.plantIds.length) })(input),
    summation: {
      sum: (grid, plantIds, task, options) =>
        secureSummation({ clipRange: config.statisticsClipRange, ...secureAggregationSettings(config, plantIds.length) }).sum(grid, plantIds, task, options),
    },
  };
}
