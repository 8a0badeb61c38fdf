/**
 * Step 5 of the demo: each plant optimizes its steady-state profit with a trained model and the
 * result is scored on the plant's TRUE simulator — regret = true optimal profit − true profit at the
 * chosen setpoints. The CSTR model is dynamic (inputs at lags); at steady state every lag of an
 * input holds the same value, so the steady-state surrogate feeds each input to all its lag columns.
 *
 * @example
 * const outcome = optimizePlants(prepared, {
 *   federated: { model: () => fedModel, trainedOn: () => allPlantIds },
 *   local: { model: (id) => localModels[id], trainedOn: (id) => [id] },
 * });
 */
import { CrucibleError } from '../errors.js';
import type { ProcessModel } from '../nn/process-model.js';
import { parseSetpointProblem, type SetpointProblem } from '../optimize/problem.js';
import { type InputDistribution, optimizeSetpoints } from '../optimize/setpoint.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import type { CstrTruth, SimulatedPlant } from '../process/scenario.js';
import { matmul } from '../tensor/ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import type { PreparedPlants } from './plants.js';

export interface OptimizationRow {
  plantId: string;
  model: string;
  /** The chosen decision variables, by input name. */
  setpoints: Record<string, number>;
  /** Mahalanobis distance of the chosen inputs from the plant's training inputs. */
  mahalanobis?: number;
  /** Profit the model predicts at its optimum. */
  predictedProfit: number;
  /** True profit at the chosen setpoints (the plant's simulator). */
  trueProfit: number;
  /** Whether the chosen setpoints satisfy the process constraints on the true plant. */
  trueFeasible: boolean;
  /** True optimal profit and where it is. */
  optimalProfit: number;
  optimum: Record<string, number>;
  regret: number;
}

export interface OptimizationOutcome {
  rows: OptimizationRow[];
  /** Why there are no rows (scenario without a profit model). */
  skipped?: string;
  /** What was optimized, in words (objective, box, constraints, units). */
  description?: string;
  /** Largest Mahalanobis distance of a candidate from its model's training inputs. */
  maxMahalanobis?: number;
}

/**
 * Candidates stay within this Mahalanobis distance of the model's training inputs (D, Qk, cA0, T0):
 * √χ²₄(0.95) ≈ 3.08, so about 95% of Gaussian training data lies within it. A network is not to be
 * trusted outside its data — without this, optima sit in corners no plant has ever run.
 */
const maxMahalanobis = 3;

/** Mean and covariance of the raw inputs over the given plants' training blocks. */
function inputDistribution(prepared: PreparedPlants, plantIds: readonly string[]): InputDistribution {
  const names = prepared.plants[0].dataset.inputs;
  const m = names.length;
  const mean = new Float64Array(m);
  const covariance = new Float64Array(m * m);
  let n = 0;
  const blocks = prepared.plants.filter((p) => plantIds.includes(p.plantId)).map((p) => ({ p, range: p.split.split.train }));
  for (const { p, range } of blocks) {
    for (let t = range.start; t < range.end; t++) for (let i = 0; i < m; i++) mean[i] += p.dataset.columns[names[i]][t];
    n += range.end - range.start;
  }
  mean.forEach((v, i) => (mean[i] = v / n));
  for (const { p, range } of blocks) {
    for (let t = range.start; t < range.end; t++) {
      for (let i = 0; i < m; i++) {
        const di = p.dataset.columns[names[i]][t] - mean[i];
        for (let j = 0; j < m; j++) covariance[i * m + j] += (di * (p.dataset.columns[names[j]][t] - mean[j])) / (n - 1);
      }
    }
  }
  return { mean, covariance };
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

/** One plant's optimization problem and how its answer is scored on the true simulator. */
interface PlantCase {
  problem: SetpointProblem;
  score(setpoints: Record<string, number>): { profit: number; feasible: boolean };
  optimum: { profit: number; setpoints: Record<string, number> };
}

/** Optimizes every plant's profit with each named model and scores it on the plant's simulator. */
export function optimizePlants(
  prepared: PreparedPlants,
  models: Readonly<Record<string, { model: (plantId: string) => ProcessModel | undefined; trainedOn: (plantId: string) => readonly string[] }>>,
  options: { seed?: number } = {},
): OptimizationOutcome {
  const setup = prepared.scenario === 'cstr' ? cstrCases(prepared) : prepared.scenario === 'williams-otto' ? williamsOttoCases(prepared) : undefined;
  if (setup === undefined) return { rows: [], skipped: `no profit model for scenario '${prepared.scenario}': setpoint optimization runs for cstr and williams-otto` };
  const raw = prepared.plants[0].dataset.inputs;
  const lags = prepared.inputNames.length / raw.length;
  const rows: OptimizationRow[] = [];
  for (const plant of prepared.plants) {
    const c = setup.cases.get(plant.plantId)!;
    for (const [label, entry] of Object.entries(models)) {
      const model = entry.model(plant.plantId);
      if (model === undefined) continue;
      const result = optimizeSetpoints(c.problem, steadyStateSurrogate(model, raw, lags), {
        starts: 6,
        seed: options.seed ?? 0,
        inputDistribution: inputDistribution(prepared, entry.trainedOn(plant.plantId)),
      });
      const truth = c.score(result.variables);
      rows.push({
        plantId: plant.plantId,
        model: label,
        setpoints: result.variables,
        mahalanobis: result.mahalanobis,
        predictedProfit: result.objective,
        trueProfit: truth.profit,
        trueFeasible: truth.feasible,
        optimalProfit: c.optimum.profit,
        optimum: c.optimum.setpoints,
        regret: c.optimum.profit - truth.profit,
      });
    }
  }
  return { rows, maxMahalanobis, description: setup.description };
}

function simulatorsOf<P extends 'cstr' | 'williams-otto'>(prepared: PreparedPlants): SimulatedPlant<P>[] {
  const sims = prepared.plants.map((p) => p.simulated as SimulatedPlant<P> | undefined);
  if (sims.some((s) => s === undefined)) throw new CrucibleError('CONFIG_INVALID', 'demo: a plant has no simulator to score against');
  return sims as SimulatedPlant<P>[];
}

/** Search only where the federation has seen data: the union of the plants' windows. */
function union(windows: readonly (readonly [number, number])[]): [number, number] {
  return [Math.min(...windows.map((w) => w[0])), Math.max(...windows.map((w) => w[1]))];
}

function cstrCases(prepared: PreparedPlants): { cases: Map<string, PlantCase>; description: string } {
  const sims = simulatorsOf<'cstr'>(prepared);
  const [dName, qName, cName, tName] = prepared.plants[0].dataset.inputs;
  const cB = prepared.outputNames.find((n) => n.startsWith('cB'));
  if (cB === undefined) throw new RangeError(`demo: no cB output among ${prepared.outputNames.join(', ')}`);
  const d = union(sims.map((s) => s.config.window.dilutionPerH));
  const q = union(sims.map((s) => s.config.window.jacketDutyKJPerH));
  const cases = new Map<string, PlantCase>();
  for (const sim of sims) {
    const truth: CstrTruth = sim.truth;
    const feed = { feedConcentration: sim.config.feed.concentrationMean, feedTemperatureC: sim.config.feed.temperatureMeanC };
    const best = truth.optimum();
    cases.set(sim.plantId, {
      // vanDeVusseProfit: V·D·(cB − 0.15·cA0) − 0.05·|Qk|/1000, with Qk ≤ 0 in the box.
      problem: parseSetpointProblem(
        {
          variables: { [dName]: { min: d[0], max: d[1] }, [qName]: { min: q[0], max: q[1] } },
          context: { [cName]: feed.feedConcentration, [tName]: feed.feedTemperatureC },
          objective: { maximize: `${truth.parameters.reactorVolumeL} * ${dName} * (${cB} - 0.15 * ${cName}) + 0.00005 * ${qName}` },
          trustRegion: { maxMahalanobis },
        },
        `${sim.plantId} profit`,
      ),
      score: (u) => ({ profit: truth.profit({ dilutionPerH: u[dName], jacketDutyKJPerH: u[qName], ...feed }), feasible: true }),
      optimum: { profit: best.profit, setpoints: { [dName]: best.dilutionPerH, [qName]: best.jacketDutyKJPerH } },
    });
  }
  const description =
    `Each plant maximises its steady-state profit V·D·(cB − 0.15·cA0) − 0.05·|Qk|/1000 [$/h] over D ∈ [${d.join(', ')}] 1/h, Qk ∈ [${q.join(', ')}] kJ/h ` +
    `(the plants' windows together) at its mean feed. True optimum: over D ∈ [3, 35], Qk ∈ [−9000, 0].`;
  return { cases, description };
}

function williamsOttoCases(prepared: PreparedPlants): { cases: Map<string, PlantCase>; description: string } {
  const sims = simulatorsOf<'williams-otto'>(prepared);
  const [fName, tName] = prepared.plants[0].dataset.inputs;
  const f = union(sims.map((s) => s.config.window.feedB));
  const t = union(sims.map((s) => s.config.window.temperatureC));
  const cases = new Map<string, PlantCase>();
  for (const sim of sims) {
    const p = sim.truth.parameters;
    const best = sim.truth.optimum({ bounds: { feedB: f, temperatureC: t } });
    cases.set(sim.plantId, {
      problem: parseSetpointProblem(
        {
          variables: { [fName]: { min: f[0], max: f[1] }, [tName]: { min: t[0], max: t[1] } },
          objective: { maximize: `(${p.feedAKgPerS} + ${fName}) * (${p.priceP} * xP + ${p.priceE} * xE) - ${p.priceA * p.feedAKgPerS} - ${p.priceB} * ${fName}` },
          constraints: ['xA <= 0.12', 'xG <= 0.08'],
          trustRegion: { maxMahalanobis },
        },
        `${sim.plantId} profit`,
      ),
      score: (u) => {
        const s = sim.truth.steadyState(u[fName], u[tName]);
        return { profit: s.profit, feasible: s.constraintViolation.every((v) => v <= 1e-6) };
      },
      optimum: { profit: best.profit, setpoints: { [fName]: best.feedBKgPerS, [tName]: best.temperatureC } },
    });
  }
  const description =
    `Each plant maximises its profit (F_A + F_B)(p_P·x_P + p_E·x_E) − p_A·F_A − p_B·F_B [$/s] subject to x_A ≤ 0.12, x_G ≤ 0.08, ` +
    `over F_B ∈ [${f.join(', ')}] kg/s, T_R ∈ [${t.join(', ')}] °C (the plants' windows together); true optimum over the same box.`;
  return { cases, description };
}
