/**
 * The Williams–Otto study fleet's second model: the optimization study's plant-adapted cubic
 * response surface (`trainPersonalizedFederation`, docs/optimization.md "Williams–Otto: federated
 * setpoints"), federated over the three plants and, for comparison, trained on each plant's own
 * rows alone. Its body is shared, each plant's input shift and output offset stay local, and its
 * prediction standard error (from statistics the plants sum) turns the limits into chance
 * constraints. It runs in memory — the coordinator and plant processes serve MLPs only — with
 * the settings the study chose on its validation fleet (degree 3, 3 local Adam epochs at lr 0.003),
 * and, as over the network, with secure aggregation (SecAgg+): every plant wears the same
 * middleware as a `crucible plant` process, so the feature statistics, each round's update and the
 * uncertainty statistics reach the coordinator only as sums. The local-only surfaces never leave
 * their plant, so they train without it.
 *
 * @example
 * const rs = await trainResponseSurfaces(prepared, { rounds: 300, seed: 7 });
 * rs.federated['plant-a'].predictStd!(x);
 */
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { secureAggregationPlant } from '../privacy/secagg/plantMiddleware.js';
import { secureSummation } from '../privacy/secagg/secureSummation.js';
import type { PlantSplit } from '../study/compare.js';
import { responseSurfaceStatisticsKind, trainPersonalizedFederation, type PersonalizedFederationOptions } from '../study/personalized-federation.js';
import { secureAggregationConfigSchema } from '../transport/config.js';
import { perCoordinateStatistics, secureAggregationCoordinator, secureAggregationSettings } from '../transport/secureAggregation.js';
import { secureAggregationSectionFor } from './network.js';
import type { PreparedPlants } from './plants.js';

export interface ResponseSurfaces {
  /** Each plant's personalized federated surface (raw inputs, physical units, with `predictStd`). */
  federated: Record<string, ProcessSurrogate>;
  /** Each plant's surface trained on its own training block only. */
  local: Record<string, ProcessSurrogate>;
  rounds: number;
  /** Whether the federated surface was trained under secure aggregation. */
  secureAggregation: boolean;
}

export interface ResponseSurfaceOptions {
  /** Rounds of each federation (one plant: local-only). Default 300 (the study's). */
  rounds?: number;
  /** Federate under SecAgg+. Default true. */
  secureAggregation?: boolean;
  seed: number;
  /** Called after each trained model (done of total). */
  onProgress?: (done: number, total: number, label: string) => void;
}

/** Trains the federated and the local-only surfaces on the plants' training blocks (lag-0 inputs). */
export async function trainResponseSurfaces(prepared: PreparedPlants, options: ResponseSurfaceOptions): Promise<ResponseSurfaces> {
  const lags = prepared.inputNames.length / prepared.plants[0].dataset.inputs.length;
  if (lags !== 1) throw new RangeError(`trainResponseSurfaces: the response surface is static, but the features have ${lags} lags per input`);
  const rounds = options.rounds ?? 300;
  const names = { inputNames: [...prepared.plants[0].dataset.inputs], outputNames: prepared.outputNames, seed: options.seed, rounds };
  const plants = prepared.plants.map((p) => p.data);
  const total = plants.length + 1;
  let done = 0;
  options.onProgress?.(done, total, 'federated RS');
  const secure = options.secureAggregation ?? true;
  const federated = (await trainPersonalizedFederation(plants, { ...names, ...(secure ? secureOptions(plants) : {}) })).surrogates;
  options.onProgress?.(++done, total, 'federated RS');
  const local: Record<string, ProcessSurrogate> = {};
  for (const p of plants) {
    await new Promise((resolve) => setImmediate(resolve));
    local[p.plantId] = (await trainPersonalizedFederation([p], names)).surrogates[p.plantId];
    options.onProgress?.(++done, total, `local RS ${p.plantId}`);
  }
  return { federated, local, rounds, secureAggregation: secure };
}

/**
 * The largest centred Gram entry of a plant's uncertainty statistics: its rows × (2·max |φ|)², with
 * φ the cubic features of its inputs standardized by the pooled scaling (|z| taken 1.5× the largest
 * seen, for the plant's shift).
 */
function gramBound(plants: readonly PlantSplit[]): number {
  const cols = plants[0].train.x.cols;
  const all = plants.flatMap((p) => [...p.train.x.data]);
  let most = 0;
  for (let j = 0; j < cols; j++) {
    const column = all.filter((_, i) => i % cols === j);
    const mean = column.reduce((a, b) => a + b, 0) / column.length;
    const sd = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length) || 1;
    most = Math.max(most, ...column.map((v) => Math.abs((v - mean) / sd)));
  }
  const phi = Math.max(1, 1.5 * most) ** 3;
  return Math.max(...plants.map((p) => p.train.x.rows)) * (2 * phi) ** 2;
}

/**
 * SecAgg+ for the in-memory federation, configured as the demo's coordinator is
 * (`secureAggregationSectionFor` in network.ts); the uncertainty statistics get ranges of their own
 * (`gramBound`; residual sums at most rows × 100).
 */
function secureOptions(plants: readonly PlantSplit[]): Pick<PersonalizedFederationOptions, 'summation' | 'collectFit' | 'plantMiddleware' | 'statisticsSummation'> {
  const pow10 = (v: number): number => 10 ** Math.ceil(Math.log10(2 * Math.max(v, 1)));
  const rows = Math.max(...plants.map((p) => p.train.x.rows));
  const config = secureAggregationConfigSchema.parse(secureAggregationSectionFor(plants.map((p) => p.train)));
  const { collectFit, summation } = secureAggregationCoordinator(config);
  const statistics = secureSummation({
    clipRange: { centredGram: pow10(gramBound(plants)), sse: pow10(rows * 100), localParameters: 100, plants: 10 },
    ...secureAggregationSettings(config, plants.length),
    advertiseNext: false,
  });
  return {
    summation,
    collectFit,
    statisticsSummation: statistics,
    plantMiddleware: () => [secureAggregationPlant({ protectedKinds: ['fit', 'statistics', responseSurfaceStatisticsKind] }), perCoordinateStatistics()],
  };
}
