/**
 * Does federation find better operating points? For a fleet of simulated Williams–Otto plants
 * (`williams-otto-fleet.ts`), train each kind of model, optimise every plant's setpoints (F_B, T_R)
 * for profit under the published limits x_A ≤ 0.12, x_G ≤ 0.08, and score every recommendation on
 * that plant's TRUE simulator: regret against its true constrained optimum, and violation.
 *
 * Methods:
 * - 'federated-personalized': a cubic response surface whose body is federated while each plant's
 *   input shift and output offset stay local (`PlantAdaptedModel`), with the prediction standard
 *   error from federated statistics; the limits are chance constraints at `confidence`.
 * - 'local-response-surface': the same model and constraints, trained on the plant's data alone.
 * - 'local', 'federated', 'federated+calibrated', 'centralized': MLPs (local-only, FedProx, FedProx
 *   with a post-hoc calibration to the plant, pooled data); without a predictive uncertainty, their
 *   limits are backed off by `backOffSigmas` residual standard deviations on the plant's data.
 */
import { isCrucibleError } from '../errors.js';
import { williamsOttoLimits } from '../process/williamsOtto.js';
import type { WilliamsOttoPlantConfig } from '../process/williamsOttoLog.js';
import { noGrad } from '../tensor/autodiff.js';
import type { Tensor } from '../tensor/tensor.js';
import { fedProx } from '../federation/strategies/index.js';
import { parseSetpointProblem, type SetpointProblemInput } from '../optimize/problem.js';
import { optimizeSetpoints } from '../optimize/setpoint.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import type { WilliamsOttoTruth } from '../process/scenario.js';
import { calibrate } from './calibrate.js';
import { compareTraining, type CompareOptions, type Method } from './compare.js';
import { trainPersonalizedFederation, type PersonalizedFederationOptions } from './personalized-federation.js';
import { fleetSplits, sameProcessFleet, williamsOttoStudyColumns } from './williams-otto-fleet.js';

export const studyMethods = ['local', 'local-response-surface', 'federated', 'federated+calibrated', 'federated-personalized', 'centralized'] as const;
export type StudyMethod = (typeof studyMethods)[number];

export interface StudyRow {
  seed: number;
  plantId: string;
  method: StudyMethod;
  feedB: number;
  temperatureC: number;
  /** Profit the model predicts at its recommendation [$/s]. */
  predictedProfit: number;
  /** Profit of the recommendation on the plant's true simulator [$/s]. */
  trueProfit: number;
  /** The plant's true constrained optimum [$/s]. */
  optimalProfit: number;
  /** (optimum − true profit) / |optimum|, in percent. */
  regretPercent: number;
  /** Largest violation of x_A ≤ 0.12, x_G ≤ 0.08 on the true simulator (0 when feasible). */
  violation: number;
  /** x_G at the recommendation: predicted, its predictive sd (0 without one), true. */
  xG: { predicted: number; sd: number; true: number };
  /** 'infeasible': the model claims no point meets the limits (no recommendation; NaN numbers). */
  status: 'recommended' | 'infeasible';
}

export interface OptimizationStudyOptions {
  /** Plant configurations. Default `sameProcessFleet()`. */
  plants?: WilliamsOttoPlantConfig[];
  seed?: number;
  /** Which methods to run. Default all. */
  methods?: readonly StudyMethod[];
  /** Probability with which models with a predictive uncertainty hold the limits. Default 0.975. */
  confidence?: number;
  /** Back-off of the limits for models without one, in residual sds on the plant's data. Default 2. */
  backOffSigmas?: number;
  /** MLP training (compareTraining). */
  training?: Pick<CompareOptions, 'network' | 'central' | 'federated'>;
  /** Training of the plant-adapted response surface. */
  personalized?: Omit<PersonalizedFederationOptions, 'inputNames' | 'outputNames' | 'seed'>;
  onProgress?: (step: string) => void;
}

/** Runs the study for one seed and returns one row per plant and method. */
export async function optimizationStudy(options: OptimizationStudyOptions = {}): Promise<StudyRow[]> {
  const seed = options.seed ?? 1;
  const methods = new Set<StudyMethod>(options.methods ?? studyMethods);
  const { scenario, plants } = fleetSplits(options.plants ?? sameProcessFleet(), seed);
  const names = { inputNames: [...williamsOttoStudyColumns.inputs], outputNames: [...williamsOttoStudyColumns.outputs] };
  const models: Partial<Record<StudyMethod, Record<string, ProcessSurrogate>>> = {};

  const mlpMethods: Method[] = [];
  if (methods.has('local')) mlpMethods.push('local');
  if (methods.has('federated') || methods.has('federated+calibrated')) mlpMethods.push('federated');
  if (methods.has('centralized')) mlpMethods.push('centralized');
  if (mlpMethods.length > 0) {
    const trained = await compareTraining(plants, {
      ...names,
      seed,
      methods: mlpMethods,
      network: { hidden: [48, 48], activation: 'silu' },
      central: { epochs: 400, learningRate: 0.005 },
      federated: { rounds: 120, localEpochs: 1, learningRate: 0.003, strategy: fedProx({ proximalMu: 0.1 }) },
      ...options.training,
      onProgress: options.onProgress,
    });
    const each = (m: ProcessSurrogate | undefined): Record<string, ProcessSurrogate> | undefined => m && Object.fromEntries(plants.map((p) => [p.plantId, m]));
    if (methods.has('local')) models.local = trained.local;
    if (methods.has('federated')) models.federated = each(trained.federated);
    if (methods.has('federated+calibrated') && trained.federated) models['federated+calibrated'] = Object.fromEntries(plants.map((p) => [p.plantId, calibrate(trained.federated!, p.train)]));
    if (methods.has('centralized')) models.centralized = each(trained.centralized);
  }
  const personalized = { ...names, seed, ...options.personalized };
  if (methods.has('federated-personalized')) {
    models['federated-personalized'] = (await trainPersonalizedFederation(plants, personalized)).surrogates;
    options.onProgress?.('federated-personalized');
  }
  if (methods.has('local-response-surface')) {
    const local: Record<string, ProcessSurrogate> = {};
    for (const p of plants) local[p.plantId] = (await trainPersonalizedFederation([p], personalized)).surrogates[p.plantId];
    models['local-response-surface'] = local;
    options.onProgress?.('local-response-surface');
  }

  const rows: StudyRow[] = [];
  scenario.plants.forEach((plant, i) => {
    for (const method of studyMethods) {
      const model = models[method]?.[plant.plantId];
      if (model === undefined) continue;
      const problem = profitProblem(plant.truth, model, plants[i].train, options);
      rows.push(scoreRecommendation(seed, plant.plantId, method, plant.truth, model, problem));
    }
  });
  return rows;
}

/**
 * The plant's profit problem on `model`: chance constraints when the model has a predictive sd,
 * else limits backed off by residual sds on the plant's own data.
 */
function profitProblem(truth: WilliamsOttoTruth, model: ProcessSurrogate, data: { x: Tensor; y: Tensor }, options: OptimizationStudyOptions): SetpointProblemInput {
  const q = truth.parameters;
  const limits: [string, number][] = [['xA', williamsOttoLimits.xA], ['xG', williamsOttoLimits.xG]];
  const confidence = options.confidence ?? 0.975;
  const sigmas = options.backOffSigmas ?? 2;
  const constraints =
    model.predictStd !== undefined
      ? limits.map(([y, limit]) => ({ name: `${y} <= ${limit}`, expression: `${y} <= ${limit}`, confidence }))
      : limits.map(([y, limit]) => ({ name: `${y} <= ${limit}`, expression: `${y} <= ${limit - sigmas * residualStd(model, data, [y])[0]}` }));
  return {
    variables: { FB_kg_per_s: { min: 3, max: 6 }, TR_degC: { min: 70, max: 100 } },
    context: { FA: q.feedAKgPerS },
    objective: { maximize: `(FA + FB_kg_per_s) * (${q.priceP} * xP + ${q.priceE} * xE) - ${q.priceA} * FA - ${q.priceB} * FB_kg_per_s` },
    constraints,
  };
}

function scoreRecommendation(seed: number, plantId: string, method: StudyMethod, truth: WilliamsOttoTruth, model: ProcessSurrogate, problem: SetpointProblemInput): StudyRow {
  const optimum = truth.optimum({ constrained: true });
  let rec;
  try {
    rec = optimizeSetpoints(parseSetpointProblem(problem, `${plantId} ${method}`), model, { starts: 8, seed });
  } catch (e) {
    if (!isCrucibleError(e, 'INFEASIBLE')) throw e;
    const nan = Number.NaN;
    return {
      seed, plantId, method, feedB: nan, temperatureC: nan, predictedProfit: nan, trueProfit: nan, optimalProfit: optimum.profit, regretPercent: nan, violation: nan,
      xG: { predicted: nan, sd: nan, true: nan }, status: 'infeasible',
    };
  }
  const s = truth.steadyState(rec.variables.FB_kg_per_s, rec.variables.TR_degC);
  return {
    seed,
    plantId,
    method,
    feedB: rec.variables.FB_kg_per_s,
    temperatureC: rec.variables.TR_degC,
    predictedProfit: rec.objective,
    trueProfit: s.profit,
    optimalProfit: optimum.profit,
    regretPercent: (100 * (optimum.profit - s.profit)) / Math.abs(optimum.profit),
    violation: Math.max(0, ...s.constraintViolation),
    xG: { predicted: rec.predicted.xG, sd: rec.uncertainty?.xG ?? 0, true: s.xG },
    status: 'recommended',
  };
}

/** Root-mean-square residual of `model` on `data` for the named outputs (physical units). */
export function residualStd(model: ProcessSurrogate, data: { x: Tensor; y: Tensor }, outputs: readonly string[]): number[] {
  const pred = noGrad(() => model.predict(data.x));
  const k = model.outputNames.length;
  return outputs.map((name) => {
    const j = model.outputNames.indexOf(name);
    let sse = 0;
    for (let r = 0; r < data.y.rows; r++) sse += (pred.data[r * k + j] - data.y.data[r * k + j]) ** 2;
    return Math.sqrt(sse / data.y.rows);
  });
}

/** Per plant and method over seeds: regret statistics and how often a limit was violated. */
export interface StudySummary {
  plantId: string;
  method: StudyMethod;
  seeds: number;
  meanRegretPercent: number;
  maxRegretPercent: number;
  /** Seeds whose recommendation violated a limit on the true simulator (by more than 1e-6). */
  violations: number;
  /** Seeds where the model found no feasible point. */
  infeasible: number;
  /** Seeds with regret ≤ 2 % and no violation. */
  met: number;
}

/** Runs `optimizationStudy` for every seed and summarises. */
export async function optimizationStudySeeds(seeds: readonly number[], options: Omit<OptimizationStudyOptions, 'seed'> = {}): Promise<{ rows: StudyRow[]; summary: StudySummary[] }> {
  const rows: StudyRow[] = [];
  for (const seed of seeds) rows.push(...(await optimizationStudy({ ...options, seed, onProgress: (s) => options.onProgress?.(`seed ${seed}: ${s}`) })));
  return { rows, summary: summarizeStudy(rows) };
}

/** The summary of rows from any number of seeds. */
export function summarizeStudy(rows: readonly StudyRow[]): StudySummary[] {
  const groups = new Map<string, StudyRow[]>();
  for (const r of rows) {
    const key = `${r.plantId}\u0000${r.method}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const ok = g.filter((r) => r.status === 'recommended');
    const regrets = ok.map((r) => r.regretPercent);
    const violated = ok.filter((r) => r.violation > 1e-6);
    return {
      plantId: g[0].plantId,
      method: g[0].method,
      seeds: g.length,
      meanRegretPercent: regrets.length ? regrets.reduce((a, b) => a + b, 0) / regrets.length : NaN,
      maxRegretPercent: regrets.length ? Math.max(...regrets) : NaN,
      violations: violated.length,
      infeasible: g.length - ok.length,
      met: ok.filter((r) => r.regretPercent <= 2 && r.violation <= 1e-6).length,
    };
  });
}
