/**
 * Federated training of unit surrogates: several plants run the same process, each keeps its own
 * unit data, and for every unit one federation (FedAvg over the in-memory grid, or any `Grid`) trains
 * the shared MLP. Only column sums (for the common standardization) and model updates leave a plant.
 *
 * @example
 * const sf = await trainSurrogatesFederated(flowsheet, [
 *   { plantId: 'plant-a', data: dataA }, { plantId: 'plant-b', data: dataB },
 * ], { rounds: 20, seed: 1 });
 */
import { createPlant } from '../federation/plant.js';
import { InMemoryGrid } from '../federation/in-memory-grid.js';
import { runFederation } from '../federation/run.js';
import { fedAvg } from '../federation/strategies/fed-avg.js';
import { Mlp } from '../nn/mlp.js';
import { Tensor } from '../tensor/tensor.js';
import { type FineTuneOptions, type SteadyStateCases, fineTune } from './finetune.js';
import type { Flowsheet } from './flowsheet.js';
import { type SurrogateTrainingData, SurrogateFlowsheet } from './surrogate-flowsheet.js';
import { type Standardization, type SurrogateOptions, UnitSurrogate } from './surrogate.js';

export interface PlantUnitData {
  readonly plantId: string;
  readonly data: SurrogateTrainingData;
}

export interface FederatedSurrogateOptions extends SurrogateOptions {
  /** Federation rounds per unit. Default 30. */
  rounds?: number;
  /** Local epochs per round. Default 5. */
  localEpochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Local Adam learning rate. Default 5e-3. */
  lr?: number;
  /** Seed of the runs. Default 0. */
  seed?: number;
}

/** Column count, Σx and Σx² of a table: what a plant shares for the common scaling. */
function columnSums(t: Tensor): { count: number; sum: Float64Array; sumSq: Float64Array } {
  const sum = new Float64Array(t.cols);
  const sumSq = new Float64Array(t.cols);
  for (let i = 0; i < t.rows; i++) {
    for (let j = 0; j < t.cols; j++) {
      const v = t.data[i * t.cols + j];
      sum[j] += v;
      sumSq[j] += v * v;
    }
  }
  return { count: t.rows, sum, sumSq };
}

/** The standardization of the union of the plants' tables, from their column sums only. */
export function pooledStandardization(tables: readonly Tensor[]): Standardization {
  const parts = tables.map(columnSums);
  const cols = tables[0].cols;
  const mean = new Tensor(1, cols);
  const std = new Tensor(1, cols);
  const count = parts.reduce((n, p) => n + p.count, 0);
  for (let j = 0; j < cols; j++) {
    const m = parts.reduce((s, p) => s + p.sum[j], 0) / count;
    const v = Math.max(0, parts.reduce((s, p) => s + p.sumSq[j], 0) / count - m * m);
    mean.data[j] = m;
    // Same floor as `standardization`, so constant columns stay harmless.
    std.data[j] = Math.max(Math.sqrt(v), 1e-3 * (Math.abs(m) + 1e-3));
  }
  return { mean, std };
}

/** Trains one surrogate per unit by FedAvg across `plants`; the result is a surrogate flowsheet. */
export async function trainSurrogatesFederated(flowsheet: Flowsheet, plants: readonly PlantUnitData[], options: FederatedSurrogateOptions = {}): Promise<SurrogateFlowsheet> {
  if (plants.length === 0) throw new RangeError('trainSurrogatesFederated: no plants given');
  const surrogates: Record<string, UnitSurrogate> = {};
  for (const [index, unit] of flowsheet.units.entries()) {
    const tables = plants.map((p) => {
      const t = p.data.units[unit.name];
      if (t === undefined) throw new RangeError(`trainSurrogatesFederated: plant '${p.plantId}' has no data for unit '${unit.name}'`);
      return t;
    });
    const input = pooledStandardization(tables.map((t) => t.inputs));
    const output = pooledStandardization(tables.map((t) => t.outputs));
    const surrogate = UnitSurrogate.fromScaling(unit.name, { input, output, outletCount: tables[0].outletCount }, { ...options, seed: (options.seed ?? 0) + index });
    const widths = surrogate.mlp.spec.widths;
    const grid = new InMemoryGrid(
      plants.map((p, k) => {
        const scaled = surrogate.scaled(tables[k]);
        return createPlant({ plantId: p.plantId, data: { x: scaled.x, y: scaled.y }, validationFraction: 0.1, splitSeed: k, model: () => new Mlp({ widths, activation: surrogate.mlp.spec.activation }) });
      }),
    );
    let last: Float64Array | null = null;
    for await (const round of runFederation(grid, fedAvg(), {
      runId: `flowsheet-unit-${unit.name}`,
      rounds: options.rounds ?? 30,
      seed: (options.seed ?? 0) * 1000 + index,
      initialParameters: surrogate.mlp.parameters.get(),
      training: { epochs: options.localEpochs ?? 5, batchSize: options.batchSize ?? 32, learningRate: options.lr ?? 5e-3, optimizer: 'adam' },
      minPlants: plants.length,
      evaluateEvery: 0,
      timeouts: { waitForPlantsMs: 10_000, fitMs: 600_000, evaluateMs: 600_000 },
    })) {
      last = round.globalParameters;
    }
    if (last !== null) surrogate.mlp.parameters.set(last);
    surrogates[unit.name] = surrogate;
  }
  const tears = pooledStandardization(plants.map((p) => p.data.tears));
  const productNames = Object.keys(plants[0].data.products);
  const products = Object.fromEntries(productNames.map((n) => [n, pooledStandardization(plants.map((p) => p.data.products[n]))]));
  return new SurrogateFlowsheet(flowsheet, surrogates, { tear: tears, products });
}

export interface FederatedFineTuneOptions extends FineTuneOptions {
  /** FedAvg rounds; each plant runs `steps` fine-tuning steps per round on its own data. Default 5. */
  rounds?: number;
}

/**
 * End-to-end fine-tuning across plants: each round every plant fine-tunes the current unit models on
 * its own steady states (`fineTune`), and the weights are averaged, weighted by the plants' case
 * counts (FedAvg, McMahan et al., AISTATS 2017). In-process: the flowsheet as a whole is not a
 * `Model` the round loop can ship, so this loop plays the coordinator itself.
 */
export function fineTuneFederated(sf: SurrogateFlowsheet, plants: readonly { plantId: string; data: SteadyStateCases }[], options: FederatedFineTuneOptions = {}): void {
  const rounds = options.rounds ?? 5;
  const total = plants.reduce((n, p) => n + p.data.tears.rows, 0);
  for (let round = 0; round < rounds; round++) {
    const global = sf.snapshot();
    const sum = global.map((w) => new Float64Array(w.length));
    plants.forEach((p, k) => {
      sf.load(global);
      fineTune(sf, p.data, { ...options, seed: (options.seed ?? 0) * 7919 + round * 101 + k });
      const weight = p.data.tears.rows / total;
      sf.snapshot().forEach((w, u) => {
        for (let i = 0; i < w.length; i++) sum[u][i] += weight * w[i];
      });
    });
    sf.load(sum);
  }
}
