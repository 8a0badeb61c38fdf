/**
 * Federated training of any model with plant-local parameters, in simulation: one in-memory grid
 * of the plants, the federated feature scaling, the round loop with each plant keeping its local
 * entries (`keepPlantParametersLocal`), and each plant's personalized parameters at the end. Extra
 * task handlers and an after-training step (e.g. summing statistics through a `Summation`) run on
 * the same grid before it closes.
 *
 * @example
 * const run = await federateWithLocalParameters(plants, {
 *   model: () => new PlantAdaptedModel(spec), localIndices: (m) => m.indicesOf('plant'), rounds: 300, seed: 1,
 * });
 * run.parameters['plant-a']; // the shared body with plant-a's own shift and offset
 */
import { InMemoryGrid } from '../federation/in-memory-grid.js';
import { createPlant, type PlantHandler, type PlantMiddleware } from '../federation/plant.js';
import { runFederation, type FitCollector } from '../federation/run.js';
import { federatedScaling } from '../federation/feature-scaling.js';
import { fedAvg } from '../federation/strategies/index.js';
import type { Grid } from '../federation/grid.js';
import type { Strategy } from '../federation/strategy.js';
import { plainSummation, type Summation } from '../federation/summation.js';
import { keepPlantParametersLocal } from '../hybrid/plant-parameters.js';
import type { Model } from '../nn/mlp.js';
import type { ModelScaling } from '../nn/process-model.js';
import type { PlantSplit } from './compare.js';

export interface LocalParameterTraining {
  /** Rounds of the round loop. Default 300. */
  rounds?: number;
  /** Local epochs per round. Default 3. */
  localEpochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Local Adam step size. Default 0.003. */
  learningRate?: number;
  /** Default FedAvg. */
  strategy?: Strategy;
  /** The summation behind the feature scaling (and any after-training sums). Default plain. */
  summation?: Summation;
  /** How the round loop gathers fit updates (e.g. secure aggregation's `collectFit`). Default: each reply as is. */
  collectFit?: FitCollector;
  /** Each plant's privacy middleware, outermost first, outside its local-parameter store (e.g. `secureAggregationPlant()`). Default none. */
  plantMiddleware?: (plantId: string) => PlantMiddleware[];
  seed?: number;
}

export interface FederateWithLocalOptions<M extends Model, T> extends LocalParameterTraining {
  /** A fresh model given the federated scaling (every call must give the same initial values). */
  model: (scaling: ModelScaling) => M;
  /** Positions of the plant-local entries in the model's flat parameter vector. */
  localIndices: (model: M) => ArrayLike<number>;
  /** Handlers of further task kinds at plant i; `personalize` writes its local entries into a global vector. */
  handlers?: (plantIndex: number, personalize: (global: Float64Array) => Float64Array) => Record<string, PlantHandler>;
  /** Runs on the grid after the last round (before it closes). */
  afterTraining?: (context: { grid: Grid; plantIds: readonly string[]; global: Float64Array; scaling: ModelScaling; runId: string; rounds: number; summation: Summation }) => Promise<T>;
}

export interface LocalParameterRun<T> {
  scaling: ModelScaling;
  /** The final global vector (plant-local entries as the coordinator holds them: untouched). */
  global: Float64Array;
  /** Each plant's parameters: the global vector with its own local entries. */
  parameters: Record<string, Float64Array>;
  /** Global weighted validation MSE (standardized) after the last round. */
  validationMse: number;
  after: T;
}

/** Trains over `plants` (one plant: local-only training of the same model). */
export async function federateWithLocalParameters<M extends Model, T = undefined>(plants: readonly PlantSplit[], options: FederateWithLocalOptions<M, T>): Promise<LocalParameterRun<T>> {
  if (plants.length === 0) throw new RangeError('federateWithLocalParameters: no plants');
  const seed = options.seed ?? 0;
  const plantIds = plants.map((p) => p.plantId);
  const runId = 'local-parameters';
  const summation = options.summation ?? plainSummation;
  const timeouts = { waitForPlantsMs: 10_000, fitMs: 600_000, evaluateMs: 600_000 };
  // The scaling first (the round loop computes the same sums again), because the model may need it.
  const noModel = (): never => {
    throw new RangeError('federateWithLocalParameters: the scaling grid answers statistics tasks only');
  };
  const privacy = (plantId: string): PlantMiddleware[] => options.plantMiddleware?.(plantId) ?? [];
  const statsGrid = new InMemoryGrid(plants.map((p) => createPlant({ plantId: p.plantId, data: p.train, validation: p.test, model: noModel, middleware: privacy(p.plantId) })));
  let scaling: ModelScaling;
  try {
    scaling = (await federatedScaling(statsGrid, plantIds, { runId, timeoutMs: timeouts.evaluateMs, summation })).scaling;
  } finally {
    await statsGrid.close();
  }
  const factory = (): M => options.model(scaling);
  const template = factory();
  const locals = plants.map(() => keepPlantParametersLocal(options.localIndices(template)));
  const grid = new InMemoryGrid(
    plants.map((p, i) =>
      createPlant({ plantId: p.plantId, data: p.train, validation: p.test, model: factory, middleware: [...privacy(p.plantId), locals[i].middleware], handlers: options.handlers?.(i, locals[i].personalize) }),
    ),
  );
  try {
    const rounds = options.rounds ?? 300;
    let global = template.parameters.get();
    let validationMse = NaN;
    for await (const r of runFederation(grid, options.strategy ?? fedAvg(), {
      runId, rounds, seed, initialParameters: global,
      training: { epochs: options.localEpochs ?? 3, batchSize: options.batchSize ?? 32, learningRate: options.learningRate ?? 0.003, optimizer: 'adam' },
      minPlants: plants.length, timeouts, featureScaling: true, summation, evaluateEvery: rounds,
      ...(options.collectFit === undefined ? {} : { collectFit: options.collectFit }),
    })) {
      global = r.globalParameters;
      if (r.evaluation !== undefined) validationMse = r.evaluation.weighted.mse;
    }
    const parameters = Object.fromEntries(plants.map((p, i) => [p.plantId, locals[i].personalize(global)]));
    const after = (await options.afterTraining?.({ grid, plantIds, global, scaling, runId, rounds, summation })) as T;
    return { scaling, global, parameters, validationMse, after };
  } finally {
    await grid.close();
  }
}
