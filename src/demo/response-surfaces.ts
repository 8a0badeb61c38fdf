/**
 * The Williams–Otto study fleet's second model: the optimization study's plant-adapted cubic
 * response surface (`trainPersonalizedFederation`, docs/optimization.md "Williams–Otto: federated
 * setpoints"), federated over the three plants and, for comparison, trained on each plant's own
 * rows alone. Its body is shared, each plant's input shift and output offset stay local, and its
 * prediction standard error (from statistics the plants sum) turns the limits into chance
 * constraints. It runs in memory — the coordinator and plant processes serve MLPs only — with
 * the settings the study chose on its validation fleet (degree 3, 3 local Adam epochs at lr 0.003).
 *
 * @example
 * const rs = await trainResponseSurfaces(prepared, { rounds: 300, seed: 7 });
 * rs.federated['plant-a'].predictStd!(x);
 */
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { trainPersonalizedFederation } from '../study/personalized-federation.js';
import type { PreparedPlants } from './plants.js';

export interface ResponseSurfaces {
  /** Each plant's personalized federated surface (raw inputs, physical units, with `predictStd`). */
  federated: Record<string, ProcessSurrogate>;
  /** Each plant's surface trained on its own training block only. */
  local: Record<string, ProcessSurrogate>;
  rounds: number;
}

export interface ResponseSurfaceOptions {
  /** Rounds of each federation (one plant: local-only). Default 300 (the study's). */
  rounds?: number;
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
  const federated = (await trainPersonalizedFederation(plants, names)).surrogates;
  options.onProgress?.(++done, total, 'federated RS');
  const local: Record<string, ProcessSurrogate> = {};
  for (const p of plants) {
    await new Promise((resolve) => setImmediate(resolve));
    local[p.plantId] = (await trainPersonalizedFederation([p], names)).surrogates[p.plantId];
    options.onProgress?.(++done, total, `local RS ${p.plantId}`);
  }
  return { federated, local, rounds };
}
