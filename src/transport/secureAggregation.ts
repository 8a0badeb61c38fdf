/**
 * The `secureAggregation` section of `federation.yaml` turned into the round loop's two seams:
 * `collectFit` (fit updates summed by SecAgg(+), `secureFitCollector`) and `summation` (the feature
 * statistics of federated scaling, `secureSummation`). A threshold given as a fraction is resolved
 * each round against the neighbourhood size of that round's cohort, so it keeps its meaning when
 * the number of plants changes.
 *
 * Feature statistics take two secure sums. One codec per array would quantize a small-valued
 * feature's Σx² on the scale of the largest feature's (32-bit words leave too few levels for it), so
 * the first sum, under the configured ranges, only bounds each coordinate; the second asks plants
 * (through `perCoordinateStatistics`) for one array per coordinate, each with a range fitted to its
 * own total — the coordinator learns the same totals twice, finely the second time.
 *
 * @example
 * runFederation(grid, fedAvg(), { ...options, ...secureAggregationCoordinator(config.secureAggregation) });
 */
import type { Grid, SendOptions } from '../federation/grid.js';
import type { TaskMessage } from '../federation/messages.js';
import type { PlantMiddleware } from '../federation/plant.js';
import type { FitCollector } from '../federation/run.js';
import type { SumOutcome, Summation } from '../federation/summation.js';
import { secureFitCollector } from '../privacy/secagg/fitCollector.js';
import { FixedPoint } from '../privacy/secagg/fixedPoint.js';
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

/** How differential privacy shapes a run's secure aggregation (see `privateStrategy`). */
export interface SecureAggregationPrivacy {
  /** The codec of `update` (distributed DP: scale 1/γ and a range for clip + noise). */
  readonly updateCodec?: { readonly clipRange: number; readonly scale: number };
  /** Fewest plants whose sum may be released, at least (distributed DP counts only their noise). */
  readonly minimumPlants?: number;
}

/**
 * `collectFit` and `summation` for `runFederation` from an enabled `secureAggregation` section. With
 * differential privacy (`privacy` given) updates are summed with uniform weights (no example cap),
 * so one plant changes the sum by at most the clip norm.
 */
export function secureAggregationCoordinator(config: SecureAggregationConfig, privacy?: SecureAggregationPrivacy): { collectFit: FitCollector; summation: Summation } {
  // One collector per cohort size, kept across rounds: plants advertise the next round's keys at the
  // end of each round, which saves the next round its key-advertising exchange.
  const collectors = new Map<number, FitCollector>();
  const fitOptions = (n: number): SecureSummationOptions => {
    const settings = secureAggregationSettings(config, n);
    const minimumPlants = Math.max(settings.minimumPlants ?? 0, privacy?.minimumPlants ?? 0) || undefined;
    if (privacy === undefined) return { clipRange: config.updateClipRange, exampleCap: config.exampleCap, ...settings };
    const codec = privacy.updateCodec;
    return { ...settings, minimumPlants, clipRange: codec?.clipRange ?? config.updateClipRange, scale: codec === undefined ? undefined : { update: codec.scale } };
  };
  return {
    collectFit: (input) => {
      const n = input.plantIds.length;
      let collect = collectors.get(n);
      if (collect === undefined) {
        collect = secureFitCollector(fitOptions(n));
        collectors.set(n, collect);
      }
      return collect(input);
    },
    summation: { sum: (grid, plantIds, task, options) => refinedStatistics(config, grid, plantIds, task, options) },
  };
}

/** Task config key asking plants for one statistics array per coordinate. */
const PER_COORDINATE = 'perCoordinate';
const SEPARATOR = '#';
const pairs = [['featureSum', 'featureSumSq'], ['targetSum', 'targetSumSq']] as const;

/** The two-pass secure sum of feature statistics (see the file comment). */
async function refinedStatistics(config: SecureAggregationConfig, grid: Grid, plantIds: readonly string[], task: TaskMessage, options: SendOptions): Promise<SumOutcome> {
  const settings = secureAggregationSettings(config, plantIds.length);
  const coarse = await secureSummation({ clipRange: config.statisticsClipRange, ...settings, advertiseNext: false }).sum(grid, plantIds, task, options);
  if (task.kind !== 'statistics') return coarse;
  const clipRange: Record<string, number> = {};
  for (const [sum, sumSq] of pairs) {
    const totals = coarse.sums[sumSq];
    if (coarse.sums[sum] === undefined || totals === undefined) return coarse;
    const range = typeof config.statisticsClipRange === 'number' ? config.statisticsClipRange : config.statisticsClipRange[sumSq];
    const error = new FixedPoint({ clipRange: range, plants: plantIds.length }).sumErrorBound;
    totals.forEach((s, i) => {
      // Σx² ≥ 0, so no plant's share exceeds the total; |Σx| ≤ √(n·Σx²) (Cauchy–Schwarz). Doubled for margin.
      const bound = Math.max(s, 0) + error;
      clipRange[`${sumSq}${SEPARATOR}${i}`] = 2 * bound + 1e-12;
      clipRange[`${sum}${SEPARATOR}${i}`] = 2 * Math.sqrt(coarse.count * bound) + 1e-12;
    });
  }
  const fine = await secureSummation({ clipRange, ...settings, advertiseNext: false }).sum(grid, plantIds, { ...task, config: { ...task.config, [PER_COORDINATE]: true } }, options);
  const sums: Record<string, Float64Array> = {};
  for (const [name, v] of Object.entries(fine.sums)) {
    const [array, index] = name.split(SEPARATOR);
    (sums[array] ??= new Float64Array(coarse.sums[array].length))[Number(index)] = v[0];
  }
  return { ...fine, sums };
}

/**
 * Plant middleware answering a statistics task marked `perCoordinate` with one array per
 * coordinate (`featureSumSq#3`), so secure aggregation can quantize each on its own range.
 *
 * @example
 * createPlant({ plantId, data, model, middleware: [secureAggregationPlant(), perCoordinateStatistics()] });
 */
export function perCoordinateStatistics(): PlantMiddleware {
  return (next) => async (task) => {
    const reply = await next(task);
    if (task.kind !== 'statistics' || task.config[PER_COORDINATE] !== true || !reply.ok) return reply;
    const arrays: Record<string, Float64Array> = {};
    for (const [name, v] of Object.entries(reply.arrays)) v?.forEach((x, i) => (arrays[`${name}${SEPARATOR}${i}`] = new Float64Array([x])));
    return { ...reply, arrays };
  };
}
