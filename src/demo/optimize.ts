/**
 * Step 5 of the demo: each plant optimizes its steady-state profit with a trained model and the
 * result is scored on the plant's TRUE simulator — regret = true optimal profit − true profit at the
 * chosen setpoints. The CSTR model is dynamic (inputs at lags); at steady state every lag of an
 * input holds the same value, so the steady-state surrogate feeds each input to all its lag columns.
 *
 * @example
 * const rows = optimizePlants(prepared, { federated: fedModel, local: localModels });
 */
import { CrucibleError } from '../errors.js';
import type { ProcessModel } from '../nn/process-model.js';
import { parseSetpointProblem } from '../optimize/problem.js';
import { optimizeSetpoints } from '../optimize/setpoint.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import type { CstrTruth, SimulatedPlant } from '../process/scenario.js';
import type { CstrPlantConfig } from '../process/vanDeVusseLog.js';
import { matmul } from '../tensor/ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import type { PreparedPlants } from './plants.js';

export interface OptimizationRow {
  plantId: string;
  model: string;
  dilutionPerH: number;
  jacketDutyKJPerH: number;
  /** Profit the model predicts at its optimum [$/h]. */
  predictedProfit: number;
  /** True profit at the model's optimum [$/h]. */
  trueProfit: number;
  /** True optimal profit over D ∈ [3, 35], Qk ∈ [−9000, 0] [$/h]. */
  optimalProfit: number;
  regret: number;
  optimalDilutionPerH: number;
  optimalJacketDutyKJPerH: number;
}

export interface OptimizationOutcome {
  rows: OptimizationRow[];
  /** Why there are no rows (scenario without a profit model). */
  skipped?: string;
  /** The decision box searched (where the federation has data). */
  box?: { dilutionPerH: [number, number]; jacketDutyKJPerH: [number, number] };
}

/**
 * The steady-state view of a lagged model: inputs are the raw process inputs, each copied to all of
 * its lag columns (features are laid out input by input, lags ascending — `featureColumns`).
 */
export function steadyStateSurrogate(model: ProcessModel, rawInputs: readonly string[], lagsPerInput: number): ProcessSurrogate {
  if (rawInputs.length * lagsPerInput !== model.inputNames.length) {
    throw new RangeError(`steadyStateSurrogate: ${rawInputs.length} inputs × ${lagsPerInput} lags ≠ ${model.inputNames.length} model inputs`);
  }
  const copy = new Tensor(rawInputs.length, model.inputNames.length);
  for (let i = 0; i < rawInputs.length; i++) for (let k = 0; k < lagsPerInput; k++) copy.data[i * model.inputNames.length + i * lagsPerInput + k] = 1;
  return { inputNames: rawInputs, outputNames: model.outputNames, predict: (u: Tensor) => model.predict(matmul(u, copy)) };
}

/** Optimizes every CSTR plant's profit with each named model and scores it on the plant's simulator. */
export function optimizePlants(prepared: PreparedPlants, models: Readonly<Record<string, (plantId: string) => ProcessModel | undefined>>, options: { seed?: number } = {}): OptimizationOutcome {
  if (prepared.scenario !== 'cstr') {
    return { rows: [], skipped: `setpoint optimization is wired for the CSTR scenario only (scenario '${prepared.scenario}')` };
  }
  const raw = prepared.plants[0].dataset.inputs;
  const lags = prepared.inputNames.length / raw.length;
  const configs = prepared.plants.map((p) => p.simulated?.config as CstrPlantConfig | undefined);
  if (configs.some((c) => c === undefined)) throw new CrucibleError('CONFIG_INVALID', 'demo: a CSTR plant has no simulator to score against');
  // Search only where the federation has seen data: the union of the plants' operating windows.
  const box = {
    dilutionPerH: [Math.min(...configs.map((c) => c!.window.dilutionPerH[0])), Math.max(...configs.map((c) => c!.window.dilutionPerH[1]))] as [number, number],
    jacketDutyKJPerH: [Math.min(...configs.map((c) => c!.window.jacketDutyKJPerH[0])), Math.max(...configs.map((c) => c!.window.jacketDutyKJPerH[1]))] as [number, number],
  };
  const [dName, qName, cName, tName] = raw;
  const cB = prepared.outputNames.find((n) => n.startsWith('cB'));
  if (cB === undefined) throw new RangeError(`demo: no cB output among ${prepared.outputNames.join(', ')}`);
  const rows: OptimizationRow[] = [];
  for (const plant of prepared.plants) {
    const sim = plant.simulated as SimulatedPlant<'cstr'>;
    const truth: CstrTruth = sim.truth;
    const feed = { feedConcentration: sim.config.feed.concentrationMean, feedTemperatureC: sim.config.feed.temperatureMeanC };
    const best = truth.optimum();
    // vanDeVusseProfit: V·D·(cB − 0.15·cA0) − 0.05·|Qk|/1000, with Qk ≤ 0 in the box.
    const problem = parseSetpointProblem(
      {
        variables: { [dName]: { min: box.dilutionPerH[0], max: box.dilutionPerH[1] }, [qName]: { min: box.jacketDutyKJPerH[0], max: box.jacketDutyKJPerH[1] } },
        context: { [cName]: feed.feedConcentration, [tName]: feed.feedTemperatureC },
        objective: { maximize: `${truth.parameters.reactorVolumeL} * ${dName} * (${cB} - 0.15 * ${cName}) + 0.00005 * ${qName}` },
      },
      `${plant.plantId} profit`,
    );
    for (const [label, modelOf] of Object.entries(models)) {
      const model = modelOf(plant.plantId);
      if (model === undefined) continue;
      const result = optimizeSetpoints(problem, steadyStateSurrogate(model, raw, lags), { starts: 6, seed: options.seed ?? 0 });
      const u = { dilutionPerH: result.variables[dName], jacketDutyKJPerH: result.variables[qName], ...feed };
      const trueProfit = truth.profit(u);
      rows.push({
        plantId: plant.plantId,
        model: label,
        dilutionPerH: u.dilutionPerH,
        jacketDutyKJPerH: u.jacketDutyKJPerH,
        predictedProfit: result.objective,
        trueProfit,
        optimalProfit: best.profit,
        regret: best.profit - trueProfit,
        optimalDilutionPerH: best.dilutionPerH,
        optimalJacketDutyKJPerH: best.jacketDutyKJPerH,
      });
    }
  }
  return { rows, box };
}
