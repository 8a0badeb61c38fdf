/**
 * The identifiability study of the dynamic van de Vusse example: three plants log their reactors
 * (`cstrDynamicsPlants`), each fits the kinetics ALONE from its own log, then all three fit them
 * TOGETHER by federation — each with its heat-transfer rate kept local — and both are compared with
 * the simulator's true kinetics and with the Gauss–Newton standard errors of the data.
 * `cstr-dynamics.test.ts` runs it small; `npm run bench -- hybrid` runs it on longer logs and
 * against first-order FedAdam.
 *
 * Rows are split in time: the first `trainFraction` of each plant's windows train, the rest are
 * held out (the later hours of the log).
 *
 * @example
 * const study = await cstrDynamicsStudy({ samples: 600, rounds: 8 });
 * study.federated.relativeErrorE; // [0.001, 0.002, 0.003]
 */
import { createPlant, type PlantData } from '../../federation/plant.js';
import { InMemoryGrid } from '../../federation/in-memory-grid.js';
import type { RoundResult } from '../../federation/round-result.js';
import { runFederation } from '../../federation/run.js';
import type { Strategy } from '../../federation/strategy.js';
import { nominalVanDeVusse } from '../../process/vanDeVusse.js';
import { generateCstrLog } from '../../process/vanDeVusseLog.js';
import { sliceRows } from '../../tensor/ops/index.js';
import { gaussNewton, gaussNewtonTasks } from '../gauss-newton.js';
import type { HybridModel } from '../hybrid-model.js';
import { standardErrors } from '../identifiability.js';
import { keepPlantParametersLocal } from '../plant-parameters.js';
import { cstrDynamicsPlants, cstrLogWindows, vanDeVusseDynamicModel } from './cstr-dynamics.js';
import { trueKinetics } from './cstr-kinetics.js';

export interface CstrDynamicsStudyOptions {
  /** Log length per plant [1-min samples]. Default 600 (10 h). */
  readonly samples?: number;
  /** Window length W [samples]. Default 12. */
  readonly windowSamples?: number;
  /** RK4 steps per sample. Default 1. */
  readonly substeps?: number;
  /** Federation rounds (and local-only rounds). Default 8. */
  readonly rounds?: number;
  /** Seed of the logs. Default 1. */
  readonly seed?: number;
  /** Default `gaussNewton()` (plants then answer through `gaussNewtonTasks`); any strategy works. */
  readonly strategy?: () => Strategy;
  /** Local training of a first-order strategy's rounds. Default: one full-batch SGD step, rate 0.3. */
  readonly training?: { epochs: number; batchSize: number; learningRate: number; optimizer: 'sgd' | 'adam' };
  readonly trainFraction?: number;
  /** Analyser noise [mol/L] (the scaled temperature has the same by design): for the standard errors. Default 0.01. */
  readonly noiseStd?: number;
}

/** One fit: the kinetics it ended with, their errors against the truth and their standard errors. */
export interface KineticsEstimate {
  readonly activationTemperatureK: number[];
  readonly logRateAtReference: number[];
  /** |E − E_true| / E_true. */
  readonly relativeErrorE: number[];
  /** |a − a_true| (a = ln k(T_ref)). */
  readonly errorLogRate: number[];
  readonly standardErrorE: number[];
  readonly standardErrorLogRate: number[];
  /** Each plant's heat-transfer rate kA/(ρ c_p V) [1/h]. */
  readonly heatTransferPerH: number[];
  /** Held-out RMSE over the outputs (cB [mol/L] and 0.1·T [°C]). */
  readonly heldOutRmse: number;
  readonly rounds: readonly RoundResult[];
}

export interface CstrDynamicsStudy {
  readonly referenceTemperatureC: number;
  readonly truth: { activationTemperatureK: number[]; logRateAtReference: number[] };
  readonly plants: ReadonlyArray<{ plantId: string; rows: number; temperatureRangeC: [number, number] }>;
  /** Each plant on its own data. */
  readonly local: readonly KineticsEstimate[];
  readonly federated: KineticsEstimate;
  /**
   * Standard errors of E [K] at the TRUE kinetics (and the clean jacket's heat transfer): what each
   * plant's data alone, and all together, can determine — independent of how a fit converges.
   */
  readonly standardErrorEAtTruth: { readonly local: readonly number[][]; readonly federated: number[] };
}

const REFERENCE_TEMPERATURE_C = 110;

export async function cstrDynamicsStudy(options: CstrDynamicsStudyOptions = {}): Promise<CstrDynamicsStudy> {
  const W = options.windowSamples ?? 12;
  const substeps = options.substeps ?? 1;
  const configs = cstrDynamicsPlants({ samples: options.samples ?? 600 });
  const logs = configs.map((c) => generateCstrLog(c, { seed: options.seed ?? 1 }));
  const model = (): HybridModel => vanDeVusseDynamicModel({ referenceTemperatureC: REFERENCE_TEMPERATURE_C, windowSamples: W, substeps });
  const data = configs.map((c, i) => {
    const windows = cstrLogWindows(logs[i], { windowSamples: W, analyser: c.analyser });
    const cut = Math.round((options.trainFraction ?? 0.8) * windows.x.rows);
    const part = (a: number, b: number): PlantData => ({ x: sliceRows(windows.x, a, b), y: sliceRows(windows.y, a, b) });
    return { plantId: c.plantId, train: part(0, cut), validation: part(cut, windows.x.rows) };
  });
  const truth = trueKinetics(nominalVanDeVusse, REFERENCE_TEMPERATURE_C);
  const fit = (plants: typeof data): Promise<KineticsEstimate> => fitTogether(plants, model, truth, options);
  const local: KineticsEstimate[] = [];
  for (const plant of data) local.push(await fit([plant]));
  const p = nominalVanDeVusse;
  const atTruth = () => vanDeVusseDynamicModel({
    referenceTemperatureC: REFERENCE_TEMPERATURE_C, windowSamples: W, substeps,
    initialRateAtReference: truth.logRateAtReference.map(Math.exp) as [number, number, number],
    initialActivationTemperatureK: truth.activationTemperatureK as [number, number, number],
    initialHeatTransferPerH: (p.heatTransferKJPerHM2K * p.jacketAreaM2) / (p.densityKgPerL * p.heatCapacityKJPerKgK * p.reactorVolumeL),
  });
  const seAtTruth = (plants: typeof data): number[] => standardErrors(plants.map((d) => ({ model: atTruth(), x: d.train.x })), { noiseStd: options.noiseStd ?? 0.01 }).shared.activationTemperatureK;
  return {
    referenceTemperatureC: REFERENCE_TEMPERATURE_C,
    truth,
    plants: data.map((d, i) => ({ plantId: d.plantId, rows: d.train.x.rows + d.validation.x.rows, temperatureRangeC: range(logs[i].values.T_degC) })),
    local,
    federated: await fit(data),
    standardErrorEAtTruth: { local: data.map((d) => seAtTruth([d])), federated: seAtTruth(data) },
  };
}

async function fitTogether(
  plants: ReadonlyArray<{ plantId: string; train: PlantData; validation: PlantData }>,
  model: () => HybridModel,
  truth: { activationTemperatureK: number[]; logRateAtReference: number[] },
  options: CstrDynamicsStudyOptions,
): Promise<KineticsEstimate> {
  const rounds = options.rounds ?? 8;
  const strategy = (options.strategy ?? (() => gaussNewton()))();
  const locals = plants.map(() => keepPlantParametersLocal(model().indicesOf('plant')));
  const grid = new InMemoryGrid(plants.map((p, i) => createPlant({
    plantId: p.plantId, data: p.train, validation: p.validation, model,
    middleware: [locals[i].middleware, gaussNewtonTasks({ model, train: p.train })],
  })));
  const results: RoundResult[] = [];
  for await (const r of runFederation(grid, strategy, {
    runId: `cstr-dynamics-${plants.map((p) => p.plantId).join('+')}`, rounds, seed: options.seed ?? 1,
    initialParameters: model().parameters.get(),
    training: options.training ?? { epochs: 1, batchSize: 1_000_000, learningRate: 0.3, optimizer: 'sgd' },
    minPlants: plants.length, evaluateEvery: rounds,
    timeouts: { waitForPlantsMs: 1000, fitMs: 600_000, evaluateMs: 600_000 },
  })) results.push(r);
  const last = results[results.length - 1];
  const fitted = plants.map((p, i) => {
    const m = model();
    m.parameters.set(locals[i].personalize(last.globalParameters));
    return { model: m, x: p.train.x };
  });
  const values = fitted[0].model.physicalValues();
  const se = standardErrors(fitted, { noiseStd: options.noiseStd ?? 0.01 });
  return {
    activationTemperatureK: values.activationTemperatureK,
    logRateAtReference: values.logRateAtReference,
    relativeErrorE: values.activationTemperatureK.map((e, j) => Math.abs(e - truth.activationTemperatureK[j]) / truth.activationTemperatureK[j]),
    errorLogRate: values.logRateAtReference.map((a, j) => Math.abs(a - truth.logRateAtReference[j])),
    standardErrorE: se.shared.activationTemperatureK,
    standardErrorLogRate: se.shared.logRateAtReference,
    heatTransferPerH: fitted.map((f) => f.model.physicalValues().heatTransferPerH[0]),
    heldOutRmse: last.evaluation?.weighted.rmse ?? Number.NaN,
    rounds: results,
  };
}

function range(values: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi];
}
