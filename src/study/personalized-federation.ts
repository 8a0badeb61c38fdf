/**
 * Federated training of a plant-adapted model: the shared body is averaged by the round loop, each
 * plant's input shift and output offset never leave it (`keepPlantParametersLocal`), and after the
 * last round the plants sum the statistics of the response surface's prediction standard error
 * through a `Summation` (plain here; secure aggregation's hides each plant's share). The result is
 * one personalized surrogate per plant, in physical units, with `predictStd`.
 *
 * The same function trains a local-only model of the same kind: pass one plant.
 *
 * @example
 * const fed = await trainPersonalizedFederation(plants, { inputNames, outputNames, seed: 1 });
 * optimizeSetpoints(problem, fed.surrogates['plant-a']); // constraints may carry a confidence
 */
import { InMemoryGrid } from '../federation/in-memory-grid.js';
import { createPlant, type PlantHandler } from '../federation/plant.js';
import { runFederation } from '../federation/run.js';
import { federatedScaling } from '../federation/feature-scaling.js';
import { fedAvg } from '../federation/strategies/index.js';
import type { Strategy } from '../federation/strategy.js';
import { plainSummation, type Summation } from '../federation/summation.js';
import { keepPlantParametersLocal } from '../hybrid/plant-parameters.js';
import type { ModelScaling } from '../nn/process-model.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { add, div, mul, sub } from '../tensor/ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import type { PlantSplit } from './compare.js';
import { standardize } from './compare.js';
import { PlantAdaptedModel, type PlantAdaptedModelSpec } from './plant-adapted-model.js';
import { responseSurfaceStatistics, responseSurfaceStd, sumStatistics, type ResponseSurfaceStatistics } from './response-surface-uncertainty.js';

export interface PersonalizedFederationOptions {
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** The model (sizes come from the names). Default: a cubic response surface with shift and offset. */
  model?: Omit<PlantAdaptedModelSpec, 'inputSize' | 'outputSize' | 'seed'>;
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
  /** The summation behind feature scaling and the uncertainty statistics. Default plain. */
  summation?: Summation;
  seed?: number;
}

export interface PersonalizedFederation {
  /** Each plant's model in physical units (its own shift and offset), with `predictStd` when the body is linear. */
  surrogates: Record<string, ProcessSurrogate>;
  /** The plant-adapted networks (standardized units), by plant. */
  models: Record<string, PlantAdaptedModel>;
  scaling: ModelScaling;
  /** Global weighted validation MSE (standardized) after the last round. */
  validationMse: number;
}

const statisticsKind = 'response-surface.statistics';

/** Trains the plant-adapted model over `plants` (one plant: local-only) and builds each plant's surrogate. */
export async function trainPersonalizedFederation(plants: readonly PlantSplit[], options: PersonalizedFederationOptions): Promise<PersonalizedFederation> {
  if (plants.length === 0) throw new RangeError('trainPersonalizedFederation: no plants');
  const seed = options.seed ?? 0;
  const spec: PlantAdaptedModelSpec = { degree: 3, ...options.model, inputSize: options.inputNames.length, outputSize: options.outputNames.length, seed };
  const factory = (): PlantAdaptedModel => new PlantAdaptedModel(spec);
  const plantIndices = factory().indicesOf('plant');
  const locals = plants.map(() => keepPlantParametersLocal(plantIndices));
  const kept = new Map<string, ResponseSurfaceStatistics>();
  // After training, each plant answers the statistics task from its own personalized model and data.
  const statisticsHandler = (i: number): PlantHandler => async (task) => {
    const p = plants[i];
    const model = factory();
    model.parameters.set(locals[i].personalize(task.arrays.parameters!));
    const s = scalingFromArrays(task.arrays);
    const stats = responseSurfaceStatistics(model, standardizeInputs(p.train.x, s), standardize(p.train.y, s));
    kept.set(p.plantId, stats);
    return {
      ok: true, kind: task.kind, runId: task.runId, round: task.round, plantId: p.plantId, numExamples: stats.count, metrics: {},
      arrays: { centredGram: stats.centredGram, sse: stats.sse, localParameters: Float64Array.of(stats.localParameters), plants: Float64Array.of(1) },
    };
  };
  const grid = new InMemoryGrid(
    plants.map((p, i) =>
      createPlant({ plantId: p.plantId, data: p.train, validation: p.test, model: factory, middleware: [locals[i].middleware], handlers: { [statisticsKind]: statisticsHandler(i) } }),
    ),
  );
  const plantIds = plants.map((p) => p.plantId);
  const runId = 'personalized';
  const summation = options.summation ?? plainSummation;
  const timeouts = { waitForPlantsMs: 10_000, fitMs: 600_000, evaluateMs: 600_000 };
  try {
    const scaling = (await federatedScaling(grid, plantIds, { runId, timeoutMs: timeouts.evaluateMs, summation })).scaling;
    const rounds = options.rounds ?? 300;
    let global = factory().parameters.get();
    let validationMse = NaN;
    for await (const r of runFederation(grid, options.strategy ?? fedAvg(), {
      runId, rounds, seed, initialParameters: global,
      training: { epochs: options.localEpochs ?? 3, batchSize: options.batchSize ?? 32, learningRate: options.learningRate ?? 0.003, optimizer: 'adam' },
      minPlants: plants.length, timeouts, featureScaling: true, summation, evaluateEvery: rounds,
    })) {
      global = r.globalParameters;
      if (r.evaluation !== undefined) validationMse = r.evaluation.weighted.mse;
    }
    const models: Record<string, PlantAdaptedModel> = {};
    plants.forEach((p, i) => {
      const m = factory();
      m.parameters.set(locals[i].personalize(global));
      models[p.plantId] = m;
    });
    const linear = (spec.hidden ?? []).length === 0;
    let stdOf: ((plantId: string) => (z: Tensor) => Tensor) | undefined;
    if (linear) {
      const out = await summation.sum(grid, plantIds, { kind: statisticsKind, runId, round: rounds + 1, config: {}, arrays: { parameters: global, ...scaling } }, { timeoutMs: timeouts.evaluateMs });
      if (out.contributors.length !== plants.length) throw new RangeError(`uncertainty statistics: ${out.contributors.length} of ${plants.length} plants answered`);
      const totals = { centredGram: out.sums.centredGram, sse: out.sums.sse, count: out.count, localParameters: out.sums.localParameters[0], plants: out.sums.plants[0] };
      stdOf = (plantId) => responseSurfaceStd(models[plantId], totals, kept.get(plantId)!);
    }
    const surrogates: Record<string, ProcessSurrogate> = {};
    for (const p of plants) surrogates[p.plantId] = physicalSurrogate(models[p.plantId], scaling, options, stdOf?.(p.plantId));
    return { surrogates, models, scaling, validationMse };
  } finally {
    await grid.close();
  }
}

/** A standardized-unit network (and its σ) as a surrogate in physical units. */
function physicalSurrogate(
  model: PlantAdaptedModel,
  s: ModelScaling,
  names: { inputNames: readonly string[]; outputNames: readonly string[] },
  std?: (z: Tensor) => Tensor,
): ProcessSurrogate {
  const row = (v: Float64Array): Tensor => new Tensor(1, v.length, v.slice());
  const [inMean, inStd, outMean, outStd] = [row(s.featureMean), row(s.featureStd), row(s.targetMean), row(s.targetStd)];
  const z = (x: Tensor): Tensor => div(sub(x, inMean), inStd);
  return {
    inputNames: names.inputNames,
    outputNames: names.outputNames,
    predict: (x) => add(mul(model.forward(z(x)), outStd), outMean),
    ...(std === undefined ? {} : { predictStd: (x: Tensor) => mul(std(z(x)), outStd) }),
  };
}

function scalingFromArrays(a: Readonly<Record<string, Float64Array | undefined>>): ModelScaling {
  const need = (k: string): Float64Array => {
    const v = a[k];
    if (v === undefined) throw new RangeError(`${statisticsKind} task carries no '${k}'`);
    return v;
  };
  return { featureMean: need('featureMean'), featureStd: need('featureStd'), targetMean: need('targetMean'), targetStd: need('targetStd') };
}

function standardizeInputs(x: Tensor, s: ModelScaling): Tensor {
  const out = new Tensor(x.rows, x.cols);
  for (let i = 0; i < x.data.length; i++) out.data[i] = (x.data[i] - s.featureMean[i % x.cols]) / s.featureStd[i % x.cols];
  return out;
}
