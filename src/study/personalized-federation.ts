/**
 * Federated training of a plant-adapted response surface (`PlantAdaptedModel`): the shared body
 * is averaged by the round loop, each plant's input shift and output offset never leave it, and
 * after the last round the plants sum the statistics of the prediction standard error through a
 * `Summation` (plain here; secure aggregation's hides each plant's share). The result is one
 * personalized surrogate per plant, in physical units, with `predictStd`.
 *
 * The same function trains a local-only model of the same kind: pass one plant.
 *
 * @example
 * const fed = await trainPersonalizedFederation(plants, { inputNames, outputNames, seed: 1 });
 * optimizeSetpoints(problem, fed.surrogates['plant-a']); // constraints may carry a confidence
 */
import type { PlantHandler } from '../federation/plant.js';
import type { ModelScaling } from '../nn/process-model.js';
import type { Summation } from '../federation/summation.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { add, div, mul, sub } from '../tensor/ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import type { PlantSplit } from './compare.js';
import { standardize } from './compare.js';
import { federateWithLocalParameters, type LocalParameterTraining } from './federate-local.js';
import { PlantAdaptedModel, type PlantAdaptedModelSpec } from './plant-adapted-model.js';
import { responseSurfaceStatistics, responseSurfaceStd, type ResponseSurfaceStatistics } from './response-surface-uncertainty.js';

export interface PersonalizedFederationOptions extends LocalParameterTraining {
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** The model (sizes come from the names). Default: a cubic response surface with shift and offset. */
  model?: Omit<PlantAdaptedModelSpec, 'inputSize' | 'outputSize' | 'seed'>;
  /** The summation of the uncertainty statistics after training (its arrays: centredGram, sse, localParameters, plants). Default `summation`. */
  statisticsSummation?: Summation;
}

/** Task kind of the after-training uncertainty statistics (for a plant's secure-aggregation middleware). */
export const responseSurfaceStatisticsKind = 'response-surface.statistics';

export interface PersonalizedFederation {
  /** Each plant's model in physical units (its own shift and offset), with `predictStd` when the body is linear. */
  surrogates: Record<string, ProcessSurrogate>;
  /** The plant-adapted networks (standardized units), by plant. */
  models: Record<string, PlantAdaptedModel>;
  scaling: ModelScaling;
  /** Global weighted validation MSE (standardized) after the last round. */
  validationMse: number;
}

const statisticsKind = responseSurfaceStatisticsKind;

/** Trains the plant-adapted model over `plants` (one plant: local-only) and builds each plant's surrogate. */
export async function trainPersonalizedFederation(plants: readonly PlantSplit[], options: PersonalizedFederationOptions): Promise<PersonalizedFederation> {
  const spec: PlantAdaptedModelSpec = { degree: 3, ...options.model, inputSize: options.inputNames.length, outputSize: options.outputNames.length, seed: options.seed ?? 0 };
  const linear = (spec.hidden ?? []).length === 0;
  const kept = new Map<string, ResponseSurfaceStatistics>();
  // After training, each plant answers the statistics task from its own personalized model and data.
  const handlers = (i: number, personalize: (global: Float64Array) => Float64Array): Record<string, PlantHandler> => ({
    [statisticsKind]: async (task) => {
      const p = plants[i];
      const model = new PlantAdaptedModel(spec);
      model.parameters.set(personalize(task.arrays.parameters!));
      const s = scalingFromArrays(task.arrays);
      const stats = responseSurfaceStatistics(model, standardizeInputs(p.train.x, s), standardize(p.train.y, s));
      kept.set(p.plantId, stats);
      return {
        ok: true, kind: task.kind, runId: task.runId, round: task.round, plantId: p.plantId, numExamples: stats.count, metrics: {},
        arrays: { centredGram: stats.centredGram, sse: stats.sse, localParameters: Float64Array.of(stats.localParameters), plants: Float64Array.of(1) },
      };
    },
  });
  const run = await federateWithLocalParameters(plants, {
    ...options,
    model: () => new PlantAdaptedModel(spec),
    localIndices: (m) => m.indicesOf('plant'),
    handlers: linear ? handlers : undefined,
    afterTraining: async ({ grid, plantIds, global, scaling, runId, rounds, summation }) => {
      if (!linear) return undefined;
      const out = await (options.statisticsSummation ?? summation).sum(grid, plantIds, { kind: statisticsKind, runId, round: rounds + 1, config: {}, arrays: { parameters: global, ...scaling } }, { timeoutMs: 600_000 });
      if (out.contributors.length !== plantIds.length) throw new RangeError(`uncertainty statistics: ${out.contributors.length} of ${plantIds.length} plants answered`);
      return { centredGram: out.sums.centredGram, sse: out.sums.sse, count: out.count, localParameters: out.sums.localParameters[0], plants: out.sums.plants[0] };
    },
  });
  const models: Record<string, PlantAdaptedModel> = {};
  const surrogates: Record<string, ProcessSurrogate> = {};
  for (const p of plants) {
    const m = new PlantAdaptedModel(spec);
    m.parameters.set(run.parameters[p.plantId]);
    models[p.plantId] = m;
    const std = run.after === undefined ? undefined : responseSurfaceStd(m, run.after, kept.get(p.plantId)!);
    surrogates[p.plantId] = physicalSurrogate((z) => m.forward(z), run.scaling, options, std);
  }
  return { surrogates, models, scaling: run.scaling, validationMse: run.validationMse };
}

/**
 * A network on standardized units (and its σ) as a surrogate in physical units; `outputTransform`
 * maps the unstandardized outputs (e.g. exp of log outputs).
 */
export function physicalSurrogate(
  network: (z: Tensor) => Tensor,
  s: ModelScaling,
  names: { inputNames: readonly string[]; outputNames: readonly string[] },
  std?: (z: Tensor) => Tensor,
  outputTransform?: (y: Tensor) => Tensor,
): ProcessSurrogate {
  const row = (v: Float64Array): Tensor => new Tensor(1, v.length, v.slice());
  const [inMean, inStd, outMean, outStd] = [row(s.featureMean), row(s.featureStd), row(s.targetMean), row(s.targetStd)];
  const z = (x: Tensor): Tensor => div(sub(x, inMean), inStd);
  const out = outputTransform ?? ((y: Tensor) => y);
  return {
    inputNames: names.inputNames,
    outputNames: names.outputNames,
    predict: (x) => out(add(mul(network(z(x)), outStd), outMean)),
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
