/**
 * Does federation find better operating points? For a fleet of simulated Williams–Otto plants, train
 * local-only, federated and centralized models, optimise each plant's setpoints (F_B, T_R) with each
 * model under the published limits x_A ≤ 0.12, x_G ≤ 0.08, and score every recommendation on that
 * plant's TRUE simulator: regret against its true constrained optimum and constraint violation.
 *
 * The default fleet runs one licensed process (kinetics within ±3 %) in different operating windows,
 * with unequal and noisy records — no plant has operated near the optimum, but together they cover
 * the box. That is where a shared model pays: a local model must extrapolate to find the optimum.
 * 'Federated + calibrated' adapts the federated model to each plant with a few local parameters
 * (affine maps of the standardized inputs and outputs, fitted on the plant's own data with the
 * network frozen): personalization without extrapolating from the plant's own window.
 */
import { scenarioFromConfigs } from '../process/scenario.js';
import { nominalWilliamsOtto, williamsOttoLimits, type WilliamsOttoParameters } from '../process/williamsOtto.js';
import { williamsOttoPlantConfigSchema, type WilliamsOttoPlantConfig } from '../process/williamsOttoLog.js';
import { isCrucibleError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { add, matmul, mean, mul, square, sub } from '../tensor/ops/index.js';
import { backward, noGrad } from '../tensor/autodiff.js';
import { fedProx } from '../federation/strategies/index.js';
import type { ProcessModel } from '../nn/process-model.js';
import { minimizeLbfgsb } from '../optimize/lbfgsb.js';
import { parseSetpointProblem } from '../optimize/problem.js';
import { optimizeSetpoints } from '../optimize/setpoint.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { compareTraining, standardize, type CompareOptions, type PlantSplit } from './compare.js';

export type StudyMethod = 'local' | 'federated' | 'federated+calibrated' | 'centralized';

export interface StudyRow {
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
  /** 'infeasible': the model claims no point meets the limits (no recommendation; NaN numbers). */
  status: 'recommended' | 'infeasible';
}

export interface OptimizationStudyOptions {
  /** Plant configurations (Williams–Otto plant config schema). Default `sameProcessFleet()`. */
  plants?: WilliamsOttoPlantConfig[];
  seed?: number;
  /** Training settings passed to `compareTraining`. */
  training?: Pick<CompareOptions, 'network' | 'central' | 'federated'>;
  /**
   * Back-off from the composition limits when optimising on a model, in residual standard deviations
   * of that model on the plant's own data (a Gaussian chance constraint: 2 → ~97.7 %). Default 2.
   */
  backOffSigmas?: number;
  onProgress?: (step: string) => void;
}

/**
 * Three plants of the same process (catalyst activity 1.00/0.98/1.02, activation energies within
 * ±0.5 %), each in its own window — low F_B and T; low F_B and high T; high F_B — with 800/400/200
 * records and the noise of real analysers. The true constrained optimum (F_B ≈ 5, T_R ≈ 84 °C) lies
 * in no plant's window.
 */
export function sameProcessFleet(): WilliamsOttoPlantConfig[] {
  const plant = (plantId: string, activity: number, eShift: number, feedB: [number, number], temperatureC: [number, number], samples: number, noise: number): WilliamsOttoPlantConfig => {
    const n = nominalWilliamsOtto;
    const parameters: WilliamsOttoParameters = {
      ...n,
      preExponentialPerS: n.preExponentialPerS.map((k) => k * activity) as [number, number, number],
      activationTemperatureK: n.activationTemperatureK.map((e) => e * (1 + eShift)) as [number, number, number],
    };
    const quiet = { noiseStd: 0, bias: 0, driftPerH: 0 };
    return williamsOttoPlantConfigSchema.parse({
      plantId, parameters, window: { feedB, temperatureC }, samples, samplingIntervalS: 3600,
      sensors: { feedB: { ...quiet, noiseStd: 0.01 }, temperature: { ...quiet, noiseStd: 0.2 }, composition: { ...quiet, noiseStd: noise } },
    });
  };
  return [
    plant('plant-a', 1.0, 0, [3.0, 4.4], [70, 82], 800, 0.001),
    plant('plant-b', 0.98, 0.002, [3.4, 4.6], [86, 100], 400, 0.0015),
    plant('plant-c', 1.02, -0.002, [5.3, 6.0], [70, 100], 200, 0.002),
  ];
}

/** Runs the study and returns one row per plant and method. */
export async function optimizationStudy(options: OptimizationStudyOptions = {}): Promise<StudyRow[]> {
  const seed = options.seed ?? 1;
  const sc = scenarioFromConfigs('williams-otto', options.plants ?? sameProcessFleet(), seed);
  const plants: PlantSplit[] = sc.plants.map((p) => {
    const ds = p.generate();
    const nTest = Math.round(ds.rowCount * 0.2);
    const table = (cols: readonly string[], lo: number, hi: number): Tensor => {
      const t = new Tensor(hi - lo, cols.length);
      for (let i = lo; i < hi; i++) cols.forEach((c, j) => (t.data[(i - lo) * cols.length + j] = ds.values[c][i]));
      return t;
    };
    const cut = ds.rowCount - nTest;
    return {
      plantId: p.plantId,
      train: { x: table(ds.inputs, 0, cut), y: table(ds.outputs, 0, cut) },
      test: { x: table(ds.inputs, cut, ds.rowCount), y: table(ds.outputs, cut, ds.rowCount) },
    };
  });
  const inputNames = ['FB_kg_per_s', 'TR_degC'];
  const outputNames = ['xA', 'xB', 'xC', 'xE', 'xG', 'xP'];
  const trained = await compareTraining(plants, {
    inputNames,
    outputNames,
    seed,
    network: { hidden: [48, 48], activation: 'silu' },
    central: { epochs: 400, learningRate: 0.005 },
    federated: { rounds: 120, localEpochs: 1, learningRate: 0.003, strategy: fedProx({ proximalMu: 0.1 }) },
    ...options.training,
    onProgress: options.onProgress,
  });
  const sigmas = options.backOffSigmas ?? 2;
  const rows: StudyRow[] = [];
  sc.plants.forEach((p, i) => {
    const q = p.truth.parameters;
    const problemFor = (model: ProcessSurrogate) => {
      const [sA, sG] = residualStd(model, plants[i].train, ['xA', 'xG']);
      return parseSetpointProblem({
        variables: { FB_kg_per_s: { min: 3, max: 6 }, TR_degC: { min: 70, max: 100 } },
        context: { FA: q.feedAKgPerS },
        objective: { maximize: `(FA + FB_kg_per_s) * (${q.priceP} * xP + ${q.priceE} * xE) - ${q.priceA} * FA - ${q.priceB} * FB_kg_per_s` },
        constraints: [`xA <= ${williamsOttoLimits.xA - sigmas * sA}`, `xG <= ${williamsOttoLimits.xG - sigmas * sG}`],
      });
    };
    const optimum = p.truth.optimum({ constrained: true });
    const models: [StudyMethod, ProcessSurrogate | undefined][] = [
      ['local', trained.local[p.plantId]],
      ['federated', trained.federated],
      ['federated+calibrated', trained.federated && calibrate(trained.federated, plants[i].train)],
      ['centralized', trained.centralized],
    ];
    for (const [method, model] of models) {
      if (model === undefined) continue;
      let rec;
      try {
        rec = optimizeSetpoints(problemFor(model), model, { starts: 8, seed });
      } catch (e) {
        if (!isCrucibleError(e, 'INFEASIBLE')) throw e;
        const nan = Number.NaN;
        rows.push({ plantId: p.plantId, method, feedB: nan, temperatureC: nan, predictedProfit: nan, trueProfit: nan, optimalProfit: optimum.profit, regretPercent: nan, violation: nan, status: 'infeasible' });
        continue;
      }
      const s = p.truth.steadyState(rec.variables.FB_kg_per_s, rec.variables.TR_degC);
      rows.push({
        plantId: p.plantId,
        method,
        feedB: rec.variables.FB_kg_per_s,
        temperatureC: rec.variables.TR_degC,
        predictedProfit: rec.objective,
        trueProfit: s.profit,
        optimalProfit: optimum.profit,
        regretPercent: (100 * (optimum.profit - s.profit)) / Math.abs(optimum.profit),
        violation: Math.max(0, ...s.constraintViolation),
        status: 'recommended',
      });
    }
  });
  return rows;
}

/** Root-mean-square residual of `model` on `data` for the named outputs (physical units). */
function residualStd(model: ProcessSurrogate, data: { x: Tensor; y: Tensor }, outputs: readonly string[]): number[] {
  const pred = noGrad(() => model.predict(data.x));
  const k = model.outputNames.length;
  return outputs.map((name) => {
    const j = model.outputNames.indexOf(name);
    let sse = 0;
    for (let r = 0; r < data.y.rows; r++) sse += (pred.data[r * k + j] - data.y.data[r * k + j]) ** 2;
    return Math.sqrt(sse / data.y.rows);
  });
}

/**
 * A plant's calibration of a frozen model: y = c ⊙ g(a ⊙ z + b) + d on standardized inputs z,
 * with (a, b, c, d) fitted to the plant's data by L-BFGS (a small ridge keeps them near identity).
 */
export function calibrate(model: ProcessModel, data: { x: Tensor; y: Tensor }): ProcessSurrogate {
  const m = model.inputNames.length;
  const k = model.outputNames.length;
  const size = 2 * m + 2 * k;
  const z = model.scaleInputs(data.x).detach();
  const target = standardize(data.y, model.scaling);
  // Selection matrices pick each block of θ as a row vector, keeping everything in differentiable ops.
  const pick = (offset: number, n: number): Tensor => {
    const e = new Tensor(size, n);
    for (let j = 0; j < n; j++) e.data[(offset + j) * n + j] = 1;
    return e;
  };
  const blocks = { a: pick(0, m), b: pick(m, m), c: pick(2 * m, k), d: pick(2 * m + k, k) };
  const apply = (theta: Tensor, zIn: Tensor): Tensor => {
    const inner = add(mul(zIn, add(matmul(theta, blocks.a), 1)), matmul(theta, blocks.b));
    return add(mul(model.network.forward(inner), add(matmul(theta, blocks.c), 1)), matmul(theta, blocks.d));
  };
  const fitted = minimizeLbfgsb(
    (th, g) => {
      const theta = new Tensor(1, size, th.slice(), { requiresGrad: true });
      const loss = add(mean(square(sub(apply(theta, z), target))), mul(mean(square(theta)), 1e-3));
      backward(loss);
      g.set(theta.grad!);
      return loss.item();
    },
    new Float64Array(size),
    { maxIterations: 300 },
  );
  const theta = new Tensor(1, size, fitted.x);
  const outStd = new Tensor(1, k, model.scaling.targetStd.slice());
  const outMean = new Tensor(1, k, model.scaling.targetMean.slice());
  return {
    inputNames: model.inputNames,
    outputNames: model.outputNames,
    predict: (x: Tensor) => add(mul(apply(theta, model.scaleInputs(x)), outStd), outMean),
  };
}
