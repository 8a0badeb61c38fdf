/**
 * Helpers shared by the federation tests and benchmarks: in-memory federations of synthetic plants,
 * and running a federation to its end.
 *
 * @example
 * const { grid, initial } = linearFederation(specs, { seed: 1 });
 * const last = await lastRound(runFederation(grid, fedAvg(), options(initial)));
 */
import { Mlp } from '../nn/mlp.js';
import { InMemoryGrid, type InMemoryGridOptions } from './in-memory-grid.js';
import { createPlant, type Plant, type PlantMiddleware } from './plant.js';
import type { RoundResult } from './round-result.js';
import { linearPlants, type LinearPlantSpec } from './synthetic.js';
import type { PlantData } from './plant.js';

export interface LinearFederation {
  readonly grid: InMemoryGrid;
  readonly data: PlantData[];
  /** Initial parameters of the linear model [w…, b]. */
  readonly initial: Float64Array;
  readonly plantIds: string[];
  /** The plants (to reconnect one after `grid.disconnect`). */
  readonly plants: Plant[];
}

/** An in-memory grid of plants `plant-0…` holding synthetic linear data, with a linear model. */
export function linearFederation(
  specs: readonly LinearPlantSpec[],
  options: { seed: number; middleware?: (plantId: string) => PlantMiddleware[]; validationFraction?: number; grid?: InMemoryGridOptions },
): LinearFederation {
  const data = linearPlants(specs, { seed: options.seed });
  const d = specs[0].featureStd.length;
  const model = (): Mlp => new Mlp({ widths: [d, 1], seed: options.seed });
  const plantIds = specs.map((_, i) => `plant-${i}`);
  const plants = plantIds.map((plantId, i) =>
    createPlant({ plantId, data: data[i], model, validationFraction: options.validationFraction ?? 0.25, splitSeed: i, middleware: options.middleware?.(plantId) }),
  );
  return { grid: new InMemoryGrid(plants, options.grid), data, initial: model().parameters.get(), plantIds, plants };
}

/** Consumes a federation and returns its last round (throws if there was none). */
export async function lastRound(rounds: AsyncIterable<RoundResult>): Promise<RoundResult> {
  let last: RoundResult | undefined;
  for await (const r of rounds) last = r;
  if (last === undefined) throw new Error('the federation yielded no round');
  return last;
}

/** Euclidean distance of two vectors. */
export function distance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}
